import copy
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings

REAL_SERVICES = Path(settings.REPO_DIR) / "services"
EXAMPLE = REAL_SERVICES / "education" / "kindergarten-placement.yaml"
DICTIONARIES = ["_categories.yaml", "_life_situations.yaml", "_documents.yaml", "_results.yaml"]


def definition(code: str = "kindergarten-placement", **changes) -> dict:
    """The example definition with ``changes`` applied (``None`` removes a field)."""
    data = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    for item in data["legal_basis"]:
        item["date"] = item["date"].isoformat()
    changes = {"code": code, **changes}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def write(root: Path, data: dict, *, name: str | None = None, folder: str | None = None) -> Path:
    path = (
        root
        / (folder or data.get("category", "education"))
        / f"{name or data.get('code', 'kindergarten-placement')}.yaml"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def services_root(tmp_path) -> Path:
    """A services directory with the real shared dictionaries and no definitions."""
    root = tmp_path / "services"
    root.mkdir()
    for name in DICTIONARIES:
        shutil.copy(REAL_SERVICES / name, root / name)
    return root


def small_catalog(root: Path) -> None:
    """Five services over two categories, with every kind of fee."""
    write(root, definition())
    write(
        root,
        definition(
            "school-enrollment",
            popularity=80,
            life_situations=["going-to-school"],
            subcategory="school",
            title={
                "uz": "Birinchi sinfga qabul",
                "ru": "Запись в первый класс",
                "en": "First-grade enrolment",
            },
            keywords={"uz": ["maktabga qabul"], "ru": ["запись в школу"], "en": ["school"]},
        ),
    )
    write(
        root,
        definition(
            "university-application",
            popularity=60,
            agency="oliy-talim",
            life_situations=[],
            subcategory="higher",
            audience=["individual", "foreigner"],
            level="semi-automated",
            title={
                "uz": "Oliy ta’limga hujjat topshirish",
                "ru": "Поступление в вуз",
                "en": "University admission",
            },
            keywords={"uz": ["OTM"], "ru": ["вуз"], "en": ["university"]},
            fee={"kind": "fixed", "amount_tiyin": 2_000_000},
        ),
    )
    write(
        root,
        definition(
            "foreign-passport",
            category="personal-documents",
            agency="iiv",
            popularity=70,
            subcategory="passport",
            life_situations=["lost-documents"],
            level="semi-automated",
            channels=["service-centre"],
            audience=["individual"],
            result="passport",
            title={"uz": "Xorijga chiqish pasporti", "ru": "Заграничный паспорт", "en": "Travel passport"},
            summary={
                "uz": "Biometrik pasport olasiz.",
                "ru": "Вы получите биометрический паспорт.",
                "en": "You get a biometric travel passport.",
            },
            keywords={"uz": ["zagranpasport"], "ru": ["загранпаспорт"], "en": ["passport"]},
            legal_basis=[{"type": "presidential-decree", "number": "PF-5409", "date": "2018-04-17"}],
            fee={
                "kind": "bhm",
                "multiple": "0.5",
                "exemptions": [
                    {"category": "disabled-person", "multiple": "0"},
                    {"category": "low-income-family", "multiple": "0.25"},
                ],
            },
        ),
    )
    write(
        root,
        definition(
            "id-card-issue",
            category="personal-documents",
            agency="iiv",
            popularity=90,
            subcategory="id-card",
            life_situations=["lost-documents", "child-born"],
            level="informational",
            result="id-card",
            title={"uz": "ID-karta olish", "ru": "Получение ID-карты", "en": "Getting an ID card"},
            keywords={"uz": ["ID-karta"], "ru": ["ID-карта"], "en": ["identity card"]},
            term_days=0,
        ),
    )


@pytest.fixture
def catalog(db, services_root):
    from darcha.modules.catalog import api

    small_catalog(services_root)
    api.load_definitions(services_root)
    return services_root


@pytest.fixture
def real_catalog(db):
    """The catalog from the repository's services/ directory."""
    from darcha.modules.catalog import api

    api.load_definitions(REAL_SERVICES, strict=False)
    return REAL_SERVICES
