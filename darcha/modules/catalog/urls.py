from django.urls import path, register_converter

from darcha.modules.catalog import views


class CodeConverter:
    regex = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")

app_name = "catalog"
urlpatterns = [
    path("services/", views.index, name="index"),
    path("services/search/", views.search, name="search"),
    path("services/suggest/", views.suggest, name="suggest"),
    path("services/export.json", views.export_json, name="export-json"),
    path("services/export.csv", views.export_csv, name="export-csv"),
    path("services/category/<code:code>/", views.category, name="category"),
    path("services/agency/<code:code>/", views.agency, name="agency"),
    path("services/life/<code:code>/", views.life_situation, name="life"),
    path("services/<code:code>/", views.service, name="service"),
    path("services/<code:code>/versions/", views.versions, name="versions"),
    path("services/<code:code>/versions/<int:number>/", views.service, name="service-version"),
]
