"""The product's URLs plus a small API that needs a scope and validates a body."""

from django.urls import include, path
from ninja import NinjaAPI, Schema

from darcha.modules.apiaccess.api import ErrorOut, install_error_handlers, require_scope

handler404 = "darcha.modules.portal.views.page_not_found"
handler500 = "darcha.modules.portal.views.server_error"

api = NinjaAPI(urls_namespace="apiaccess-test", docs_url=None, openapi_url=None)
install_error_handlers(api)


class Birth(Schema):
    child_name: str
    weight_grams: int


@api.post("/births")
def register_birth(request, birth: Birth):
    return {"child_name": birth.child_name}


@api.get(
    "/catalog-only", auth=require_scope("catalog:read"), response={200: dict, 401: ErrorOut, 403: ErrorOut}
)
def catalog_only(request):
    return {"client": request.auth.client_name}


urlpatterns = [path("api/test/", api.urls), path("", include("darcha.config.urls"))]
