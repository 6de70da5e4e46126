"""The enrollment rush's population: parents with accounts, verified persons and scans uploaded.

Generated fast enough for 200,000 people and more: rows go in with PostgreSQL ``COPY``
(through the Django connection, so column names and value adaptation come from the
models), every account shares one Argon2 hash of ``PASSWORD`` computed once, and every
scan shares one stored blob (the documents module is content-addressed: many documents
may point at one blob), each applicant owning their own document rows (two or three).

Real openings have parents signed in and waiting before the instant; so do these:

- ``sign_in="direct"`` people get a session row written here, exactly what
  ``django.contrib.auth.login`` stores (user id, backend, auth hash, the SMS second
  factor) plus the identity module's session record;
- ``sign_in="flow"`` people sign in through the real pages (password, then the SMS code
  read back from the gateway) before the opening, one by one in this process;
- ``sign_in="live"`` people have no session: the load generator signs them in during the
  burst and measures that separately.

Call ``generate`` in a process whose Django settings point at the run's database.
"""

import io
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

PASSWORD = "Rush-opening-2026"
KINDERGARTEN = "kindergarten-placement"
SCHOOL = "school-enrollment"
KINDERGARTENS_PER_DISTRICT = 5
LANGUAGES = ("uz", "uz", "uz", "uz", "uz-cyrl", "ru", "ru", "en")
SCANS = ("birth-certificate", "passport", "child-medical-card")
CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Applicant:
    index: int
    pinfl: str
    phone: str
    account_id: str
    service: str
    data: dict
    documents: dict[str, list[str]]
    session: str = ""  # the sessionid cookie; empty for the live sign-in sample
    sign_in: str = "direct"  # direct | flow | live


def person_pinfl(n: int, *, born_from: date, days: int) -> tuple[str, date, str]:
    """The n-th distinct valid PINFL among people born within ``days`` of ``born_from``."""
    from darcha.modules.identity.api import make_pinfl  # after django.setup(), as the loads below

    birth = born_from + timedelta(days=n % days)
    rest = n // days
    sex = "MF"[rest % 2]
    rest //= 2
    if rest >= 999 * 999:
        raise ValueError("population too large for the PINFL space used")
    return make_pinfl(birth, sex, rest // 999 + 1, rest % 999 + 1), birth, sex


def districts() -> list[str]:
    """One district in each region: application numbers are counted per region, so a rush
    from one region only would queue on a single counter row."""
    from darcha.modules.reference import api as reference

    return [reference.districts(region.code)[0].code for region in reference.regions()]


def form_data(n: int, service: str, district: str, phone: str, opening: date) -> dict:
    """A complete, valid answer to the service's form (forms/<service>.yaml)."""
    child, _, _ = person_pinfl(n, born_from=date(2019, 9, 2), days=1200)
    certificate = f"I-TN {n % 10_000_000:07d}"
    if service == KINDERGARTEN:
        preferential = n % 7 == 0
        category = {"preferential_category": "single-parent"} if preferential else {}
        return {
            "child_pinfl": child,
            "birth_certificate_number": certificate,
            "district": district,
            "preferred_kindergarten": f"{district}-{n % KINDERGARTENS_PER_DISTRICT + 1}",
            "education_language": "ru" if n % 4 == 0 else "uz",
            "stay_mode": "short-stay" if n % 9 == 0 else "full-day",
            "desired_start_date": (opening + timedelta(days=120)).isoformat(),
            "preferential": preferential,
            **category,
            "parent_phone": phone,
        }
    return {
        "child_pinfl": child,
        "birth_certificate_number": certificate,
        "district": district,
        "school_number": n % 60 + 1,
        "education_language": "ru" if n % 4 == 0 else "uz",
        "has_sibling_in_school": False,
        "needs_inclusive_education": False,
        "parent_phone": phone,
    }


def _copy(model, rows: list[dict]) -> None:
    """Writes rows (``{attname: value}``) with one COPY; a column a row leaves out takes the
    value a new instance would be saved with (the model's default)."""
    from django.db import connection

    # Serial primary keys come from their sequence; every other value is written here.
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.db_returning)]
    blank = model()
    defaults = {f.attname: f.get_db_prep_save(f.pre_save(blank, add=True), connection) for f in fields}
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else defaults[name] for name in names])


def _shared_scan(owner_id: str) -> tuple[int, str]:
    """One real upload through the documents module (by ``owner_id``, no applicant): the
    (blob id, kind) every applicant's scans point at."""
    from PIL import Image

    from darcha.modules.documents import api as documents

    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (200, 210, 220)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "scan.png"
    stored = documents.document_intake(
        upload=buffer, owner_id=owner_id, max_bytes=5 * 1024 * 1024, purpose="application:birth-certificate"
    )
    from django.apps import apps

    row = apps.get_model("documents", "Document").objects.get(id=stored.id)
    return row.blob_id, row.kind


def generate(count: int, *, flow_sample: int = 0, live_sample: int = 0, sms_url: str = "") -> list[Applicant]:
    """Creates ``count`` applicants and returns them with what the load generator needs.

    The first ``flow_sample`` sign in through the real pages now (needs ``sms_url`` and the
    SMS gateway backend configured); the next ``live_sample`` are left signed out.
    """
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from darcha.modules.identity import api as identity

    account_model = get_user_model()
    person_model = apps.get_model("identity", "Person")
    document_model = apps.get_model("documents", "Document")
    session_model = apps.get_model("sessions", "Session")
    user_session_model = apps.get_model("identity", "UserSession")

    now = timezone.now()
    opening = timezone.localdate()
    password = make_password(PASSWORD)
    codes = districts()
    store = SessionStore()
    expires = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # What django.contrib.auth.login stores, plus the second factor the sign-in passed.
    session_common = {
        "_auth_user_backend": "darcha.modules.identity.backends.AccountBackend",
        HASH_SESSION_KEY: account_model(password=password).get_session_auth_hash(),
        identity.SESSION_SECOND_FACTOR: "sms",
        identity.SESSION_SEEN: now.timestamp(),
    }
    applicants: list[Applicant] = []
    accounts, persons, scans, sessions, user_sessions = [], [], [], [], []
    blob_id, kind = _shared_scan(str(uuid.uuid4()))
    for n in range(count):
        pinfl, birth, sex = person_pinfl(n, born_from=date(1975, 1, 1), days=9000)
        phone = f"+99890{n:07d}"
        district = codes[n % len(codes)]
        account_id = uuid.uuid4()
        accounts.append(
            {
                "id": account_id,
                "username": pinfl,
                "phone": phone,
                "password": password,
                "phone_confirmed_at": now,
                "created_at": now,
                "language": LANGUAGES[n % len(LANGUAGES)],
            }
        )
        persons.append(
            {
                "id": uuid.uuid4(),
                "pinfl": pinfl,
                "birth_date": birth,
                "sex": sex,
                "surname": "Rush",
                "given_name": f"Ota{n}",
                "address_area": district,
                "address_line": "-",
                "phone": phone,
                "verified_at": now,
                "account_id": account_id,
                "created_at": now,
            }
        )
        service = KINDERGARTEN if n % 3 else SCHOOL
        sign_in = "flow" if n < flow_sample else "live" if n < flow_sample + live_sample else "direct"
        applicant = Applicant(
            index=n,
            pinfl=pinfl,
            phone=phone,
            account_id=str(account_id),
            service=service,
            data=form_data(n, service, district, phone, opening),
            documents={},
            sign_in=sign_in,
        )
        applicants.append(applicant)
        for code in SCANS[:2] if service == KINDERGARTEN else SCANS:
            scan_id = uuid.uuid4()
            scans.append(
                {
                    "id": scan_id,
                    "owner_id": applicant.account_id,
                    "blob_id": blob_id,
                    "filename": f"{code}.png",
                    "kind": kind,
                    "purpose": f"application:{code}",
                    "created_at": now,
                }
            )
            applicant.documents[code] = [str(scan_id)]
        if sign_in == "direct":
            key = secrets.token_hex(16)
            session = {SESSION_KEY: applicant.account_id, **session_common}
            sessions.append(
                {"session_key": key, "session_data": store.encode(session), "expire_date": expires}
            )
            user_sessions.append(
                {
                    "account_id": account_id,
                    "session_key": key,
                    "user_agent": "rush",
                    "ip": "127.0.0.1",
                    "started_at": now,
                    "last_seen_at": now,
                }
            )
            applicant.session = key
    loaded = (account_model, person_model, document_model, session_model, user_session_model)
    with transaction.atomic():
        for model, rows in zip(loaded, (accounts, persons, scans, sessions, user_sessions), strict=True):
            _copy(model, rows)
    _settle(loaded)
    for applicant in applicants[:flow_sample]:
        applicant.session = sign_in_in_process(applicant, sms_url)
    return applicants


def _settle(models) -> None:
    """A production database has had statistics and a clean disk for these tables long before
    an opening; without this the first minute would also measure the autovacuum and the
    checkpoint that the bulk load sets off."""
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute("CHECKPOINT")


def code_in(messages: list[dict], after: float) -> str | None:
    """The newest six-digit code among the gateway's messages (latest first, as
    ``GET /messages`` answers) received after ``after`` (epoch seconds)."""
    for message in messages:
        found = CODE.search(message["text"])
        if message["received_at"] >= after and found:
            return found.group(1)
    return None


def sign_in_in_process(applicant: Applicant, sms_url: str) -> str:
    """The real sign-in pages, driven in this process; each person from their own address
    (the sign-in routes limit attempts per address). Returns the session cookie."""
    from django.test import Client

    client = Client(
        HTTP_HOST="127.0.0.1", REMOTE_ADDR=f"10.{applicant.index // 250 % 250}.{applicant.index % 250}.1"
    )
    started = time.time() - 1
    response = client.post("/sign-in/", {"identifier": applicant.pinfl, "password": PASSWORD})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in refused for applicant {applicant.index}: {response.status_code}")
    with httpx.Client(timeout=5) as gateway:
        code = None
        for _ in range(50):
            if code := code_in(
                gateway.get(f"{sms_url}/messages", params={"to": applicant.phone}).json(), started
            ):
                break
            time.sleep(0.1)
    if code is None:
        raise RuntimeError(f"no sign-in code reached the gateway for applicant {applicant.index}")
    response = client.post("/sign-in/code/", {"code": code})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in code refused for applicant {applicant.index}: {response.status_code}")
    return client.cookies["sessionid"].value
