"""Validators for the identifiers and personal fields that people type.

Pure functions: each raises ``ValidationError`` with a translated message and a ``code``
that forms and API endpoints can map to a field.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from darcha.platform.text import APOSTROPHES

# --- PINFL (JShShIR) -------------------------------------------------------------------
# d1 century and sex, d2–d7 birth date DDMMYY, d8–d10 area, d11–d13 serial, d14 check.

PINFL_CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
_MALE_DIGIT = {1800: 1, 1900: 3, 2000: 5}  # the female digit is one more
PINFL_WEIGHTS = (7, 3, 1) * 5


@dataclass(frozen=True)
class PinflInfo:
    birth_date: date
    sex: str  # "M" or "F"


def pinfl_check_digit(first13: str) -> int:
    return sum(int(d) * w for d, w in zip(first13, PINFL_WEIGHTS, strict=False)) % 10


def validate_pinfl(value, *, today: date | None = None) -> PinflInfo:
    """Checks a PINFL and returns the birth date and sex it encodes."""
    pinfl = str(value).strip()
    if not re.fullmatch(r"[0-9]{14}", pinfl):
        raise ValidationError(_("A PINFL is exactly 14 digits."), code="pinfl_format")
    first = int(pinfl[0])
    if first not in PINFL_CENTURIES:
        raise ValidationError(_("The first digit of a PINFL must be from 1 to 6."), code="pinfl_century")
    try:
        birth_date = date(PINFL_CENTURIES[first] + int(pinfl[5:7]), int(pinfl[3:5]), int(pinfl[1:3]))
    except ValueError:
        raise ValidationError(
            _("Digits 2 to 7 of a PINFL must be a real birth date (DDMMYY)."), code="pinfl_date"
        ) from None
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(_("The birth date in this PINFL is in the future."), code="pinfl_future")
    if pinfl[7:10] == "000":
        raise ValidationError(
            _("The area code in a PINFL (digits 8 to 10) cannot be 000."), code="pinfl_area"
        )
    if pinfl[10:13] == "000":
        raise ValidationError(
            _("The serial number in a PINFL (digits 11 to 13) cannot be 000."), code="pinfl_serial"
        )
    if pinfl_check_digit(pinfl[:13]) != int(pinfl[13]):
        raise ValidationError(
            _("This PINFL has a typing error: its last digit does not match."), code="pinfl_check"
        )
    return PinflInfo(birth_date=birth_date, sex="M" if first % 2 else "F")


def make_pinfl(birth_date: date, sex: str, area: int, serial: int) -> str:
    """Builds a valid PINFL, e.g. for demonstration people."""
    century = birth_date.year // 100 * 100
    if century not in _MALE_DIGIT:
        raise ValueError(f"PINFL cannot encode the year {birth_date.year}")
    if sex not in {"M", "F"}:
        raise ValueError("sex must be 'M' or 'F'")
    if not (1 <= area <= 999 and 1 <= serial <= 999):
        raise ValueError("area and serial must be from 1 to 999")
    first = _MALE_DIGIT[century] + (1 if sex == "F" else 0)
    first13 = f"{first}{birth_date:%d%m%y}{area:03d}{serial:03d}"
    return first13 + str(pinfl_check_digit(first13))


# --- STIR (taxpayer number) -------------------------------------------------------------
# The check-digit algorithm is not public, so only the format is validated.

STIR_PATTERN = re.compile(r"[24-7][0-9]{8}")


def validate_stir(value) -> str:
    stir = str(value).strip()
    if not STIR_PATTERN.fullmatch(stir):
        raise ValidationError(
            _("A STIR (TIN) is 9 digits and starts with 2, 4, 5, 6 or 7."), code="stir_format"
        )
    return stir


def is_legal_entity_stir(value) -> bool:
    stir = str(value).strip()
    return bool(STIR_PATTERN.fullmatch(stir)) and stir[0] == "2"


# --- Phone numbers ----------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_uz_phone(value) -> str:
    """Returns an Uzbek phone number as +998XXXXXXXXX."""
    raw = _PHONE_SEPARATORS.sub("", str(value))
    international = raw.startswith(("+", "00"))
    digits = raw.removeprefix("+").removeprefix("00") if international else raw
    if not digits.isdigit():
        raise ValidationError(
            _("Enter a phone number with digits only, for example +998 90 123-45-67."), code="phone_format"
        )
    if len(digits) == 9 and not international:
        digits = "998" + digits
    if not digits.startswith("998") and (international or len(digits) > 9):
        raise ValidationError(
            _("SMS codes can only be sent to Uzbek numbers starting with +998."), code="phone_not_uz"
        )
    if len(digits) != 12 or not digits.startswith("998") or digits[3] == "0":
        raise ValidationError(
            _("Enter a phone number with 9 digits after +998, for example +998 90 123-45-67."),
            code="phone_format",
        )
    return "+" + digits


# --- Person names -----------------------------------------------------------------------

# Characters that hide or reorder text: zero-width, soft hyphen, BOM, bidirectional controls.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
_NAME_PUNCTUATION = set(" -" + APOSTROPHES)


def _is_name_letter(char: str) -> bool:
    if not unicodedata.category(char).startswith("L"):
        return False
    return unicodedata.name(char, "").startswith(("LATIN ", "CYRILLIC "))


def validate_person_name(value, max_length: int = 60) -> str:
    """Checks a first, last or middle name and returns it trimmed and NFC-composed."""
    name = unicodedata.normalize("NFC", str(value)).strip()
    if _INVISIBLE.search(name):
        raise ValidationError(
            _("The name contains invisible or direction-changing characters. Please retype it."),
            code="name_invisible",
        )
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValidationError(_("The name contains control characters."), code="name_control")
    if not name:
        raise ValidationError(_("Enter a name."), code="name_empty")
    if len(name) > max_length:
        raise ValidationError(
            _("The name is too long: at most %(max)d characters."),
            code="name_too_long",
            params={"max": max_length},
        )
    if not any(_is_name_letter(c) for c in name) or not all(
        _is_name_letter(c) or c in _NAME_PUNCTUATION for c in name
    ):
        raise ValidationError(
            _("A name may contain only letters, spaces, hyphens and apostrophes."), code="name_characters"
        )
    return name


# --- Kazakhstan IIN/BIN -----------------------------------------------------------------


def validate_kz_iin(value) -> str:
    """Checks a Kazakhstan IIN or BIN (12 digits, mod-11 check digit)."""
    iin = str(value).strip()
    if not re.fullmatch(r"[0-9]{12}", iin):
        raise ValidationError(_("An IIN or BIN is exactly 12 digits."), code="kz_iin_format")
    digits = [int(d) for d in iin]
    check = sum(d * w for d, w in zip(digits[:11], range(1, 12), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits[:11], [*range(3, 12), 1, 2], strict=True)) % 11
    if check == 10 or check != digits[11]:
        raise ValidationError(
            _("This IIN or BIN has a typing error: its last digit does not match."), code="kz_iin_check"
        )
    return iin
