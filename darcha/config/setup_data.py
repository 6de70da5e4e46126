"""Loading and checking the data every installation needs, across modules."""

from darcha.modules.applications import api as applications
from darcha.modules.catalog import api as catalog
from darcha.modules.forms import api as forms
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.modules.reference import api as reference


def is_empty() -> bool:
    return not identity.demo_accounts_exist()


def seed_all(*, demo: bool) -> None:
    reference.load_reference_data()
    notifications.load_templates()
    catalog.load_definitions()
    forms.load_forms()
    applications.load_workflows()
    if demo:
        identity.seed_demo()


def check_all() -> list[str]:
    return [
        *reference.check_data(),
        *notifications.check_data(),
        *(str(problem) for problem in catalog.check_definitions()),
        *forms.check_forms(),
        *applications.check_workflows(),
        *identity.check_data(),
    ]


def run_periodic() -> None:
    """Time-driven work every worker runs about once a minute (idempotent)."""
    applications.run_periodic()
