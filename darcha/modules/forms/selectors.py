"""Reading forms and their versions."""

from darcha.modules.forms.models import Form, FormVersion
from darcha.modules.forms.records import FormInfo


def _info(version: FormVersion, current_id: int | None) -> FormInfo:
    return FormInfo(
        name=version.form.name,
        version=version.number,
        content_hash=version.content_hash,
        definition=version.definition,
        loaded_at=version.loaded_at,
        is_current=version.pk == current_id,
    )


def form_get(name: str) -> FormInfo | None:
    """The current version of an active form."""
    form = Form.objects.filter(name=name, is_active=True).select_related("current_version").first()
    if form is None or form.current_version is None:
        return None
    version = form.current_version
    version.form = form
    return _info(version, form.current_version_id)


def form_version_get(name: str, number: int) -> FormInfo | None:
    """A form as one of its versions defined it, withdrawn forms included."""
    version = FormVersion.objects.filter(form__name=name, number=number).select_related("form").first()
    return _info(version, version.form.current_version_id) if version else None


def form_names() -> list[str]:
    return list(Form.objects.filter(is_active=True).order_by("name").values_list("name", flat=True))
