"""Fixtures for the applications tests: a small catalog of test services over one test form,
the real workflows plus a test automatic one, and the demonstration people and officers."""

import copy
import io
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from PIL import Image

from darcha.modules.applications import api
from darcha.modules.catalog import api as catalog
from darcha.modules.documents import api as documents
from darcha.modules.forms import api as forms
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.modules.reference import api as reference

DATA = Path(__file__).parent / "data"
REPO = Path(settings.REPO_DIR)
EXAMPLE = REPO / "services" / "education" / "kindergarten-placement.yaml"
CHILONZOR, YUNUSOBOD, SAMARQAND_CITY = "1726294", "1726266", "1718401"

# code → (agency, workflow, term_days, channels, level)
TEST_SERVICES = {
    "test-permit": (
        "maktabgacha",
        "standard-review",
        10,
        ["online", "service-centre", "mobile"],
        "interactive",
    ),
    "test-referral": ("maktabgacha", "referral", 10, ["online", "service-centre", "mobile"], "interactive"),
    "test-appointment": ("maktabgacha", "appointment", 1, ["online"], "interactive"),
    "test-automatic": ("soliq", "test-automatic", 0, ["online", "mobile"], "automated"),
    "test-informational": ("maktabgacha", None, 0, ["online"], "informational"),
}


def _service_definition(
    code: str, agency: str, workflow: str | None, term: int, channels: list, level: str
) -> dict:
    data = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    for act in data["legal_basis"]:
        act["date"] = act["date"].isoformat()
    data.update(
        code=code,
        agency=agency,
        term_days=term,
        channels=channels,
        level=level,
        refs={"form": "test-permit", "workflow": workflow, "prefill": [], "result_template": None},
    )
    data["title"] = {key: f"{text} ({code})" for key, text in data["title"].items()}
    return data


@pytest.fixture(scope="session")
def definitions_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("definitions")
    services = root / "services" / "education"
    services.mkdir(parents=True)
    for dictionary in (REPO / "services").glob("_*.yaml"):
        shutil.copy(dictionary, root / "services" / dictionary.name)
    for code, spec in TEST_SERVICES.items():
        text = yaml.safe_dump(_service_definition(code, *spec), allow_unicode=True, sort_keys=False)
        (services / f"{code}.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "workflows", root / "workflows")
    shutil.copy(DATA / "workflows" / "test-automatic.yaml", root / "workflows")
    return root


def load_installation_data(root: Path) -> None:
    reference.load_reference_data()
    notifications.load_templates()
    catalog.load_definitions(root / "services")
    forms.load_forms(DATA / "forms")
    api.load_workflows(root / "workflows")
    identity.seed_demo()


@pytest.fixture(autouse=True)
def installation_data(request, definitions_root):
    """Loaded inside each rolled-back test, so no other module's tests ever see it.

    Tests that commit (threads, a live server) load it through ``committed_data``.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction") or "committed_data" in request.fixturenames:
        return
    request.getfixturevalue("db")
    load_installation_data(definitions_root)


@pytest.fixture
def committed_data(transactional_db, definitions_root):
    """For tests whose work commits (threads, several connections): the data flushed after the last one."""
    load_installation_data(definitions_root)
    cache.clear()


# --- People -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    account_id: str
    person_id: str
    area: str

    @property
    def appointments(self) -> list[identity.OfficerInfo]:
        return identity.officer_for(self.account_id)

    @property
    def account(self):
        return get_user_model().objects.get(pk=self.account_id)


def demo(name: str) -> Who:
    """A demonstration person with an account, by "Surname Given" (e.g. "Karimov Jasur")."""
    row = next(a for a in identity.demo_accounts() if a["name"].startswith(name + " "))
    person = identity.person_by_pinfl(row["pinfl"])
    return Who(person.account_id, person.id, person.address_area)


@pytest.fixture
def jasur() -> Who:
    return demo("Karimov Jasur")  # Chilonzor, director of Chilonzor Non MChJ


@pytest.fixture
def sherzod() -> Who:
    return demo("Toshmatov Sherzod")  # Samarqand city


@pytest.fixture
def receiver() -> Who:
    return demo("Xolmatova Nodira")  # maktabgacha, Tashkent city, receiver


@pytest.fixture
def approver() -> Who:
    return demo("Nazarov Farrux")  # maktabgacha, Tashkent city, reviewer and approver


@pytest.fixture
def head() -> Who:
    return demo("Saidova Kamola")  # maktabgacha, the whole country, head


@pytest.fixture
def operator() -> Who:
    return demo("Azimov Jamshid")  # service centre dxm-chilonzor


@pytest.fixture
def dilnoza() -> Who:
    return demo("Karimova Dilnoza")  # Jasur's wife, accountant of Chilonzor Non MChJ


@pytest.fixture
def other_agency() -> Who:
    return demo("Tursunov Baxtiyor")  # adliya, Samarqand region, receiver and approver


@dataclass
class Relations:
    """Representation and children a test adds to what identity knows."""

    entities: dict
    children: dict


@pytest.fixture
def relations(monkeypatch) -> Relations:
    relations = Relations(entities={}, children={})
    known_entities, known_children = identity.entities_represented, identity.children_of

    def entities_represented(person_id):
        extra = [identity.entity_by_stir(stir) for stir in relations.entities.get(str(person_id), ())]
        return [*known_entities(person_id), *extra]

    def children_of(person_id):
        return [*known_children(person_id), *relations.children.get(str(person_id), ())]

    monkeypatch.setattr(identity, "entities_represented", entities_represented)
    monkeypatch.setattr(identity, "children_of", children_of)
    return relations


def child(parent: Who, *, area: str = "") -> identity.PersonInfo:
    """A minor child of ``parent`` as identity would describe it, for ``relations``."""
    return identity.PersonInfo(
        id=str(uuid.uuid4()),
        pinfl="",
        birth_date=date(2021, 5, 1),
        sex="F",
        surname="Karimova",
        given_name="Madina",
        patronymic="",
        surname_cyrl="",
        given_name_cyrl="",
        patronymic_cyrl="",
        address_area=area or parent.area,
        address_line="",
        verified=True,
        account_id=None,
    )


# --- Documents and submissions ------------------------------------------------------------------------------


def png_upload(name: str = "scan.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), (30, 90, 160)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def upload(owner: Who, code: str = "passport") -> str:
    return documents.document_intake(
        upload=png_upload(),
        owner_id=str(owner.account_id),
        max_bytes=1024 * 1024,
        purpose=f"application:{code}",
    ).id


DATA_OK = {"purpose": "work", "copies": 1}


def submit(who: Who, service: str = "test-permit", *, key: str | None = None, data=None, docs=None, **kw):
    """Submit for ``who`` with a passport upload of theirs unless ``docs`` are given."""
    return api.submit(
        account_id=who.account_id,
        idempotency_key=key or uuid.uuid4().hex,
        service_code=service,
        data=DATA_OK if data is None else data,
        documents={"passport": [upload(who)]} if docs is None else docs,
        **kw,
    )


def login(client, who: Who, *, officer: bool = False) -> None:
    client.force_login(who.account)
    if officer:
        session = client.session
        session[identity.SESSION_SECOND_FACTOR] = "totp"
        session.save()
