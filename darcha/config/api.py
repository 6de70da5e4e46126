"""The JSON API under /api/v1/: one NinjaAPI that mounts each module's routers."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Darcha API",
    version="1",
    description="Public and agency API of the Darcha single-window e-government platform.",
    urls_namespace="api",
)
