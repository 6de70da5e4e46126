"""The other modules' api functions the portal shell calls, imported in this one place.

Identity and catalog grow alongside the portal. Until one of these functions exists the
shell still renders, without the part it feeds: no account in the header, empty home
sections, the language kept in the cookie only, the admin open to superusers only.
"""

import importlib
from collections.abc import Callable
from typing import Any


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


identity_header = _optional("darcha.modules.identity.api", "identity_header")
account_set_language = _optional("darcha.modules.identity.api", "account_set_language")
is_platform_admin = _optional("darcha.modules.identity.api", "is_platform_admin")
catalog_revision = _optional("darcha.modules.catalog.api", "catalog_revision")
life_situations = _optional("darcha.modules.catalog.api", "life_situations")
popular_services = _optional("darcha.modules.catalog.api", "popular_services")
