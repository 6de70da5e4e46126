"""The JSON API under /api/v1/: one NinjaAPI that mounts each module's routers.

Every 4xx answers in one shape, ``{"status", "detail", "errors": {field path: [...]}}``, in
the caller's language (docs/api.md); the OpenAPI document names that schema on every
route's 4xx responses. The OpenAPI document at /api/v1/openapi.json is the contract;
/api/v1/docs is a plain page listing the operations, because the usual Swagger UI
needs scripts from a CDN that the Content-Security-Policy (and many agency networks)
refuse.
"""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from darcha.modules.apiaccess.api import ErrorOut, install_error_handlers
from darcha.modules.apiaccess.endpoints import router as apiaccess_router
from darcha.modules.applications.endpoints import router as applications_router
from darcha.modules.catalog.endpoints import router as catalog_router
from darcha.modules.identity.endpoints import router as identity_router

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
ERROR_SCHEMA = {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}


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


class DarchaAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict:
        """The document, with the shared error schema on every 4xx an operation can answer:
        the ones its route declares, 422 wherever it takes input and 401 wherever it needs a
        key or session (the error handlers answer those for every route alike)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})[ErrorOut.__name__] = (
            ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        for item in schema["paths"].values():
            for method, operation in item.items():
                if method not in HTTP_METHODS:
                    continue
                responses = operation.setdefault("responses", {})
                statuses = {int(code) for code in responses if 400 <= int(code) < 500}
                if operation.get("parameters") or operation.get("requestBody"):
                    statuses.add(422)
                if operation.get("security"):
                    statuses.add(401)
                for status in statuses:
                    responses[status] = {
                        "description": responses.get(status, {}).get("description")
                        or HTTPStatus(status).phrase,
                        "content": {"application/json": {"schema": ERROR_SCHEMA}},
                    }
        return schema


api = DarchaAPI(
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
