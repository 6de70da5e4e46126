from django.contrib import admin
from django.urls import include, path

from darcha.config.api import api
from darcha.platform import http

urlpatterns = [
    path("healthz", http.healthz, name="healthz"),
    path("readyz", http.readyz, name="readyz"),
    path("metrics", http.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("darcha.modules.identity.urls")),
    path("", include("darcha.modules.notifications.urls")),
    path("", include("darcha.modules.catalog.urls")),
    path("", include("darcha.modules.documents.urls")),
    path("", include("darcha.modules.applications.urls")),
    path("", include("darcha.modules.portal.urls")),
]

handler400 = "darcha.modules.portal.views.bad_request"
handler403 = "darcha.modules.portal.views.permission_denied"
handler404 = "darcha.modules.portal.views.page_not_found"
handler500 = "darcha.modules.portal.views.server_error"
