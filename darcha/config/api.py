"""The JSON API under /api/v1/: one NinjaAPI that mounts each module's routers.

Every error answers as ``{"detail": "..."}`` in the caller's language (validation errors
also list the fields). The OpenAPI document at /api/v1/openapi.json is the contract;
/api/v1/docs is a plain page listing the operations, because the usual Swagger UI
needs scripts from a CDN that the Content-Security-Policy (and many agency networks)
refuse.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from darcha.modules.apiaccess.api import install_error_handlers
from darcha.modules.apiaccess.endpoints import router as apiaccess_router
from darcha.modules.applications.endpoints import router as applications_router
from darcha.modules.catalog.endpoints import router as catalog_router
from darcha.modules.identity.endpoints import router as identity_router

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class OperationList(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        operations = [
            {
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "secured": bool(operation.get("security")),
            }
            for path, item in schema["paths"].items()
            for method, operation in item.items()
            if method in HTTP_METHODS
        ]
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs), "operations": operations}
        return render(request, "portal/api_docs.html", context)


api = NinjaAPI(
    title="Darcha API",
    version="1",
    description="Public and agency API of the Darcha single-window e-government platform.",
    urls_namespace="api",
    docs=OperationList(),
)
install_error_handlers(api)
api.add_router("", apiaccess_router)
api.add_router("/identity", identity_router)
api.add_router("/services", catalog_router)
api.add_router("/applications", applications_router)
