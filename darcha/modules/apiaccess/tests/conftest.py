import pytest

from darcha.modules.apiaccess import api
from darcha.modules.reference import api as reference


@pytest.fixture
def agency_code():
    # Transactional tests earlier in the run may have emptied what the data migration loaded.
    reference.load_reference_data()
    return reference.agencies()[0].code


@pytest.fixture
def client_id(agency_code):
    return api.api_client_create(agency_code=agency_code, name="Civil registry system", actor="operator-1")
