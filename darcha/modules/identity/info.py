"""Small frozen records the identity module hands out instead of model instances."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

CYRILLIC_LANGUAGES = {"uz-cyrl", "ru"}

# Purposes a person can consent to (ZRU-547: consent is given for a stated purpose).
CONSENT_PURPOSES = {
    "personal_data": _("Processing of my personal data to provide the public services I apply for"),
    "interagency": _(
        "Requesting my data from other agencies so that I do not have to bring documents myself"
    ),
    "proactive": _(
        "Using data the state holds about me to offer and start services on life events without an "
        "application (for example child benefit after a birth)"
    ),
    "statistics": _("Use of my anonymised data for official statistics and research"),
}


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class PersonInfo:
    id: str
    pinfl: str
    birth_date: date
    sex: str
    surname: str
    given_name: str
    patronymic: str
    surname_cyrl: str
    given_name_cyrl: str
    patronymic_cyrl: str
    address_area: str
    address_line: str
    verified: bool
    account_id: str | None

    def full_name(self, language: str = "uz") -> str:
        """Surname, given name and patronymic in the script the language is written in."""
        if language in CYRILLIC_LANGUAGES and self.surname_cyrl:
            return _join(self.surname_cyrl, self.given_name_cyrl, self.patronymic_cyrl)
        return _join(self.surname, self.given_name, self.patronymic)

    def short_name(self, language: str = "uz") -> str:
        if language in CYRILLIC_LANGUAGES and self.given_name_cyrl:
            return _join(self.given_name_cyrl, self.surname_cyrl)
        return _join(self.given_name, self.surname)


@dataclass(frozen=True)
class AccountInfo:
    id: str
    username: str
    language: str
    person_id: str | None
    verified: bool
    totp_enabled: bool
    is_superuser: bool


@dataclass(frozen=True)
class Contact:
    phone: str
    email: str
    language: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class OfficerInfo:
    appointment_id: str
    agency_code: str
    scope_code: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class EntityInfo:
    id: str
    stir: str
    name: str
    legal_form: str
    address_area: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActingParty:
    """Who the signed-in person is acting as: themselves or a legal entity they represent."""

    kind: str  # "person" or "entity"
    account_id: str
    person_id: str | None
    name: str
    entity_id: str | None = None
    stir: str = ""

    @property
    def is_entity(self) -> bool:
        return self.kind == "entity"


@dataclass(frozen=True)
class SessionInfo:
    id: int
    user_agent: str
    ip: str
    started_at: datetime
    last_seen_at: datetime
    current: bool


@dataclass(frozen=True)
class ConsentInfo:
    purpose: str
    title: str
    given_at: datetime | None
    withdrawn_at: datetime | None

    @property
    def active(self) -> bool:
        return self.given_at is not None and self.withdrawn_at is None


@dataclass(frozen=True)
class PendingSignIn:
    """The first factor passed; kept in the session until the second one is checked."""

    account_id: str
    method: str  # "sms" or "totp"
    code_id: str
    phone_hint: str
    started_at: float
