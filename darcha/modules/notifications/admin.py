from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from darcha.modules.notifications import rendering, services
from darcha.modules.notifications.errors import RenderError
from darcha.modules.notifications.models import Message, Template, TemplateText


class TemplateTextForm(forms.ModelForm):
    class Meta:
        model = TemplateText
        fields = ["channel", "language", "subject", "body", "html", "customised"]

    def clean(self):
        data = super().clean()
        template = self.instance.template if self.instance.template_id else None
        context = template.sample_context if template else {}
        language = data.get("language") or "uz"
        for field in ("subject", "body", "html"):
            try:
                rendering.render(data.get(field) or "", context, language=language, html=field == "html")
            except RenderError as exc:
                self.add_error(
                    field, _("Does not render with the sample context: %(error)s") % {"error": exc}
                )
        return data


class TemplateTextInline(admin.StackedInline):
    model = TemplateText
    form = TemplateTextForm
    extra = 0


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "description", "updated_at"]
    search_fields = ["key", "description"]
    readonly_fields = ["key", "description", "sample_context", "sms_max_segments", "updated_at"]
    inlines = [TemplateTextInline]
    actions = ["reset_to_defaults"]

    def has_add_permission(self, request) -> bool:
        return False  # templates come from the files; operators edit their texts

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.has_changed() and "customised" not in inline_form.changed_data:
                inline_form.instance.customised = True
        super().save_formset(request, form, formset, change)

    @admin.action(description=_("Reset texts to the file defaults"))
    def reset_to_defaults(self, request, queryset):
        keys = list(queryset.values_list("key", flat=True))
        services.template_texts_reset(template_keys=keys)
        self.message_user(
            request, ngettext("%d template reset.", "%d templates reset.", len(keys)) % len(keys)
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "template", "language", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "template"]
    search_fields = ["=id", "=recipient_id", "=provider_message_id"]
    # The destination is personal data and one-time codes are secrets: neither is shown.
    fields = [
        "id",
        "recipient_id",
        "channel",
        "template",
        "language",
        "subject",
        "shown_body",
        "status",
        "attempts",
        "last_error",
        "provider_message_id",
        "created_at",
        "sent_at",
        "read_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description=_("text"))
    def shown_body(self, obj: Message) -> str:
        return _("(hidden: contains a one-time code)") if obj.one_time_code else obj.body

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        count = sum(
            services.message_requeue(message_id=str(pk)) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request, ngettext("%d message queued again.", "%d messages queued again.", count) % count
        )
