from django.http import HttpRequest

from darcha.modules.portal import peers
from darcha.modules.portal.shell import shell_context


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    account = {}
    if signed_in and peers.identity_header is not None:
        account = peers.identity_header(request) or {}
    return shell_context(request, signed_in=signed_in, account=account)
