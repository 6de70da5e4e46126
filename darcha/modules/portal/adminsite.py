"""The operator console (Django admin) is for platform administrators only."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from darcha.modules.portal import peers


def platform_admin_only(request: HttpRequest) -> bool:
    """A superuser, or an officer with the platform administrator role (identity decides)."""
    user = request.user
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return peers.is_platform_admin is not None and bool(peers.is_platform_admin(request))


def configure(site: AdminSite) -> None:
    site.has_permission = platform_admin_only
    site.site_header = _("Darcha administration")
    site.site_title = _("Darcha administration")
    site.index_title = _("Platform settings and records")
