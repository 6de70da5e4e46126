"""Reads: template texts, rendering, inboxes and the checks of the template data."""

import re
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet

from darcha.modules.notifications import rendering, sms, template_files
from darcha.modules.notifications.errors import MessageNotFound, RenderError, UnknownTemplate
from darcha.modules.notifications.models import (
    Channel,
    DevInboxEntry,
    Language,
    Message,
    Template,
    TemplateText,
)

# A one-time code in a rendered SMS: its only run of 4–8 digits (check_data makes sure).
CODE_PATTERN = re.compile(r"(?<!\d)\d{4,8}(?!\d)")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str


def template_channels(key: str) -> set[str]:
    return set(TemplateText.objects.filter(template__key=key).order_by().values_list("channel", flat=True))


def template_exists(key: str) -> bool:
    return Template.objects.filter(key=key).exists()


def _resolve(rows: dict[str, TemplateText], channel: str, language: str) -> dict[str, str]:
    """The texts to render; missing Uzbek Cyrillic fields come from Uzbek Latin, transliterated."""
    own = rows.get(language)
    fields = template_files.CHANNEL_FIELDS[channel].values()
    sources = {field: getattr(own, field) if own else "" for field in fields}
    if language == Language.UZ_CYRL and (latin := rows.get(Language.UZ)):
        for field in fields:
            if not sources[field].strip():
                sources[field] = rendering.to_cyrillic_source(getattr(latin, field))
    return sources


def _render(sources: dict[str, str], channel: str, language: str, context: dict) -> Rendered:
    subject = rendering.render(sources.get("subject", ""), context, language=language)
    body = rendering.render(sources["body"], context, language=language)
    html = ""
    if channel == Channel.EMAIL:
        subject = " ".join(subject.split())  # a header is one line
        html = rendering.email_document(
            subject=subject,
            body_html=rendering.render(sources["html"], context, language=language, html=True),
            language=language,
        )
    return Rendered(subject=subject.strip(), body=body.strip(), html=html)


def render_message(key: str, channel: str, language: str, context: dict) -> Rendered:
    rows = {
        row.language: row
        for row in TemplateText.objects.filter(
            template__key=key, channel=channel, language__in=[language, Language.UZ]
        ).order_by()
    }
    sources = _resolve(rows, channel, language)
    if not any(text.strip() for text in sources.values()):
        raise UnknownTemplate(f"template {key} has no {channel} text in {language}")
    return _render(sources, channel, language, context)


def templates_problems() -> list[str]:
    """Every template has its texts in four languages and renders with its sample context."""
    problems: list[str] = []
    keys_on_disk = set()
    for path in template_files.paths():
        try:
            keys_on_disk.add(template_files.read(path).key)
        except template_files.TemplateFileError as exc:
            problems.append(f"notifications: {exc}")
    loaded = set(Template.objects.values_list("key", flat=True))
    problems += [
        f"notifications: template {key} is not loaded (run load_templates)"
        for key in sorted(keys_on_disk - loaded)
    ]
    for template in Template.objects.prefetch_related("texts"):
        problems += _template_problems(template)
    return problems


def _template_problems(template: Template) -> list[str]:
    prefix = f"notifications: template {template.key}"
    by_channel: dict[str, dict[str, TemplateText]] = {}
    for text in template.texts.all():
        by_channel.setdefault(text.channel, {})[text.language] = text
    if not by_channel:
        return [f"{prefix}: has no texts"]
    problems = []
    for channel in sorted(by_channel):
        for language in Language.values:
            where = f"{prefix}, {channel}, {language}"
            sources = _resolve(by_channel[channel], channel, language)
            empty = [field for field, text in sources.items() if not text.strip()]
            if empty:
                problems.append(f"{where}: missing {', '.join(empty)}")
                continue
            try:
                rendered = _render(sources, channel, language, template.sample_context)
            except RenderError as exc:
                problems.append(f"{where}: does not render with the sample context: {exc}")
                continue
            if channel == Channel.SMS:
                problems += _sms_problems(where, template, rendered.body)
    return problems


def _sms_problems(where: str, template: Template, text: str) -> list[str]:
    problems = []
    length = sms.measure(text)
    if length.segments > template.sms_max_segments:
        problems.append(
            f"{where}: {length.units} {length.encoding} characters make {length.segments} SMS parts, "
            f"more than {template.sms_max_segments}"
        )
    code = template.sample_context.get("code")
    if code is not None and CODE_PATTERN.findall(text) != [str(code)]:
        problems.append(f"{where}: the code must be the only run of 4–8 digits in the text")
    return problems


def _in_app(recipient_id: str) -> QuerySet[Message]:
    return Message.objects.filter(recipient_id=recipient_id, channel=Channel.IN_APP)


def in_app_message(*, recipient_id: str, message_id: str) -> Message:
    try:
        return _in_app(recipient_id).get(id=UUID(str(message_id)))
    except (ValueError, Message.DoesNotExist) as exc:
        raise MessageNotFound(message_id) from exc


def inbox_page(recipient_id: str, *, limit: int, before: str | None) -> list[Message]:
    """Newest first; ``before`` is the id of the last message of the previous page."""
    messages = _in_app(recipient_id).order_by("-created_at", "-id")
    if before:
        anchor = in_app_message(recipient_id=recipient_id, message_id=before)
        messages = messages.filter(
            Q(created_at__lt=anchor.created_at) | Q(created_at=anchor.created_at, id__lt=anchor.id)
        )
    return list(messages[:limit])


def unread_count(recipient_id: str) -> int:
    return _in_app(recipient_id).filter(read_at__isnull=True).count()


def latest_code(phone: str) -> str | None:
    message = (
        Message.objects.filter(destination=phone, channel=Channel.SMS, one_time_code=True)
        .order_by("-created_at", "-id")
        .first()
    )
    return code_in(message.body) if message else None


def code_in(text: str) -> str | None:
    match = CODE_PATTERN.search(text)
    return match.group() if match else None


def dev_inbox(*, phone_digits: str = "") -> QuerySet[DevInboxEntry]:
    entries = DevInboxEntry.objects.order_by("-created_at", "-id")
    if phone_digits:
        entries = entries.filter(channel=Channel.SMS, destination__endswith=phone_digits)
    return entries
