"""Every change to forms: loading definitions as versions."""

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from darcha.modules.forms import events as forms_events
from darcha.modules.forms.definitions import (
    FormsInvalid,
    FormsRead,
    Problem,
    forms_dir,
    read_forms,
    services_dir,
)
from darcha.modules.forms.models import Form, FormVersion
from darcha.modules.forms.records import FormInfo, LoadReport
from darcha.modules.forms.validation import validate_json
from darcha.platform import events


def content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def forms_read(*, path: Path | None = None) -> FormsRead:
    """Parse and check the definitions without loading them."""
    return read_forms(Path(path) if path else forms_dir(), services_dir())


def forms_check(*, path: Path | None = None) -> list[Problem]:
    """Every problem in the definitions, and in each form's sample data checked against its form."""
    read = forms_read(path=path)
    problems = list(read.problems)
    for definition in read.definitions:
        form = FormInfo(
            name=definition.name,
            version=0,
            content_hash=content_hash(definition.data),
            definition=definition.data,
            loaded_at=timezone.now(),
            is_current=False,
        )
        errors = validate_json(form, definition.data["sample"], language="en")
        problems += [
            Problem(definition.file, f"sample.{name}", " ".join(messages))
            for name, messages in errors.items()
        ]
    return sorted(problems)


@transaction.atomic
def forms_load(*, path: Path | None = None, strict: bool = True) -> LoadReport:
    """Load every definition under ``path``; a changed definition becomes a new version.

    Idempotent. With ``strict`` any problem stops the whole load; otherwise invalid files
    are skipped (their forms keep the version they had) and the problems are reported.
    """
    read = forms_read(path=path)
    if strict and read.problems:
        raise FormsInvalid(read.problems)
    forms = {
        f.name: f for f in Form.objects.select_for_update(of=("self",)).select_related("current_version")
    }
    now = timezone.now()
    created, updated, unchanged = [], [], 0
    versions: dict[str, int] = {}
    for definition in read.definitions:
        form = forms.get(definition.name) or Form.objects.create(name=definition.name)
        digest = content_hash(definition.data)
        current = form.current_version
        if current is not None and current.content_hash == digest:
            if form.is_active:
                unchanged += 1
                continue
            updated.append(form.name)  # back in the files, with the content it had
        else:
            number = current.number + 1 if current else 1
            form.current_version = FormVersion.objects.create(
                form=form,
                number=number,
                content_hash=digest,
                definition=definition.data,
                source_file=definition.file,
                loaded_at=now,
            )
            versions[form.name] = number
            (updated if current else created).append(form.name)
        form.is_active = True
        form.save(update_fields=["current_version", "is_active"])

    kept = {d.name for d in read.definitions} | {Path(p.file).stem for p in read.problems}
    withdrawn = sorted(name for name, f in forms.items() if f.is_active and name not in kept)
    Form.objects.filter(name__in=withdrawn).update(is_active=False)
    report = LoadReport(
        created=tuple(created),
        updated=tuple(updated),
        unchanged=unchanged,
        withdrawn=tuple(withdrawn),
        problems=tuple(str(p) for p in read.problems),
    )
    if report.changed:
        events.publish(forms_events.FORMS_LOADED, {"versions": versions, "withdrawn": withdrawn})
    return report
