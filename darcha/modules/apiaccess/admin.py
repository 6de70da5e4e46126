"""Operator pages: register agency systems, issue keys (the secret is shown once), revoke them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from darcha.modules.apiaccess import api
from darcha.modules.apiaccess.forms import ApiClientAddForm, ApiClientChangeForm, IssueKeyForm
from darcha.modules.apiaccess.models import ApiClient, ApiKey


def _who(request: HttpRequest) -> dict:
    return {"actor": str(request.user.pk), "ip": request.META.get("REMOTE_ADDR")}


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "agency_code", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "agency_code"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ApiClientChangeForm if obj else ApiClientAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["agency_code", "name", "active", "created_at"] if obj else ["agency_code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency_code", "created_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            api.api_client_update(client_id=obj.id, name=obj.name, active=obj.active, **_who(request))
        else:
            obj.id = api.api_client_create(agency_code=obj.agency_code, name=obj.name, **_who(request))
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None) -> bool:
        # Keys and audit entries refer to the client: it is disabled, never deleted.
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "client", "scope_list", "created_at", "last_used_at", "expires_at", "state"]
    list_filter = ["client"]
    search_fields = ["prefix", "client__name", "client__agency_code"]
    fields = [
        "prefix",
        "client",
        "scope_list",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoke",
    ]
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # The record itself never changes; revoking is the one change an operator makes.
        return request.user.has_perm("apiaccess.change_apikey")

    @admin.display(description=pgettext_lazy("api access", "scopes"))
    def scope_list(self, key: ApiKey) -> str:
        return " ".join(key.scopes)

    @admin.display(description=pgettext_lazy("api access", "state"))
    def state(self, key: ApiKey) -> str:
        if key.revoked_at:
            return pgettext("api access", "revoked")
        if key.expires_at and key.expires_at <= timezone.now():
            return pgettext("api access", "expired")
        return pgettext("api access", "active")

    @admin.display(description=pgettext_lazy("api access", "revoke"))
    def revoke(self, key: ApiKey) -> str:
        if key.revoked_at:
            return "—"
        url = reverse("admin:apiaccess_apikey_revoke", args=[key.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Revoke this key"))

    def get_urls(self):
        revoke = path(
            "<uuid:key_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name="apiaccess_apikey_revoke",
        )
        return [revoke, *super().get_urls()]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueKeyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid() and (issued := form.issue(**_who(request))):
            key_id, plaintext = issued
            response = TemplateResponse(
                request,
                "admin/apiaccess/apikey/issued.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": gettext("API key issued"),
                    "plaintext": plaintext,
                    "key": ApiKey.objects.select_related("client").get(id=key_id),
                },
            )
            # The secret is on this page only; no cache may keep a copy.
            response["Cache-Control"] = "no-store"
            return response
        return TemplateResponse(
            request,
            "admin/apiaccess/apikey/issue.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Issue an API key"),
                "form": form,
                "known_scopes": api.known_scopes(),
            },
            status=400 if form.errors else 200,
        )

    def revoke_view(self, request, key_id):
        if not self.has_revoke_permission(request):
            raise PermissionDenied
        key = get_object_or_404(ApiKey.objects.select_related("client"), id=key_id)
        if request.method == "POST":
            if api.api_key_revoke(key_id=key.id, **_who(request)):
                messages.success(request, gettext("The key %(prefix)s is revoked.") % {"prefix": key.prefix})
            return HttpResponseRedirect(reverse("admin:apiaccess_apikey_change", args=[key.pk]))
        return TemplateResponse(
            request,
            "admin/apiaccess/apikey/revoke.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("Revoke an API key"),
                "key": key,
            },
        )

    @admin.action(description=_("Revoke the selected keys"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        who = _who(request)
        revoked = sum(
            api.api_key_revoke(key_id=key_id, **who) for key_id in queryset.values_list("id", flat=True)
        )
        messages.success(request, gettext("Keys revoked: %(count)d.") % {"count": revoked})
