"""Operators see forms and their versions in the admin, and cannot change them there."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from darcha.modules.forms import api
from darcha.modules.forms.models import Form, FormVersion
from darcha.modules.forms.tests.conftest import definition, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("operator", "a-long-password"))
    return client


def test_forms_and_their_versions_are_listed_read_only(operator, forms_root):
    write(forms_root, definition())
    api.load_forms(forms_root)
    changed = definition()
    changed["title"]["en"] = "Test application, revised"
    write(forms_root, changed)
    api.load_forms(forms_root)
    form = Form.objects.get(name="test-application")

    listing = operator.get("/admin/forms/form/")
    assert listing.status_code == 200
    assert "test-application" in listing.content.decode()
    page = operator.get(f"/admin/forms/form/{form.pk}/change/").content.decode()
    assert "forms/test-application.yaml" in page
    assert page.count(form.current_version.content_hash) == 1
    version = FormVersion.objects.get(form=form, number=1)
    old = operator.get(f"/admin/forms/formversion/{version.pk}/change/").content.decode()
    assert "Test application" in old and "revised" not in old

    assert operator.get("/admin/forms/form/add/").status_code == 403
    assert operator.post(f"/admin/forms/form/{form.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Form.objects.filter(pk=form.pk).exists()
