import pytest

from darcha.modules.catalog import api as catalog
from darcha.modules.reference import api as reference


@pytest.fixture
def full_catalog():
    """Every service definition, over the reference data the definitions name.

    A browser test empties every table when it ends, reference data loaded by migrations
    included; loading it again keeps this fixture independent of test order.
    """
    reference.load_reference_data()
    catalog.load_definitions()
