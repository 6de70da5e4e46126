from django.urls import path, register_converter

from darcha.modules.applications.views import apply, cabinet, centre, office, public, statistics


class NumberConverter:
    """An application's public number, YY-RRRR-NNNNNN: pages address applications by it."""

    regex = r"[0-9]{2}-[0-9]{4}-[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NumberConverter, "appnumber")

app_name = "applications"
urlpatterns = [
    path("services/<str:code>/apply/", apply.start, name="start"),
    path("cabinet/applications/", cabinet.cabinet, name="cabinet"),
    path("cabinet/applications/<appnumber:number>/", cabinet.detail, name="detail"),
    path("cabinet/applications/<appnumber:number>/submitted/", apply.submitted, name="submitted"),
    path("cabinet/applications/<appnumber:number>/withdraw/", cabinet.withdraw, name="withdraw"),
    path("cabinet/applications/<appnumber:number>/amend/", cabinet.amend, name="amend"),
    path("cabinet/applications/<appnumber:number>/rate/", cabinet.rate, name="rate"),
    path("cabinet/applications/<appnumber:number>/result/", cabinet.result, name="result"),
    path("cabinet/drafts/<uuid:draft_id>/delete/", cabinet.draft_delete, name="draft-delete"),
    path("status/", public.status, name="status"),
    path("office/applications/", office.inbox, name="inbox"),
    path("office/applications/<appnumber:number>/", office.detail, name="office-detail"),
    path("office/applications/<appnumber:number>/act/", office.act, name="office-act"),
    path("office/applications/<appnumber:number>/result/", office.result, name="office-result"),
    path("office/applications/<appnumber:number>/comment/", office.comment, name="office-comment"),
    path("office/centre/", centre.identify, name="centre"),
    path("office/centre/consent/", centre.consent, name="centre-consent"),
    path("office/centre/services/", centre.services, name="centre-services"),
    path("office/centre/apply/<str:code>/", centre.apply, name="centre-apply"),
    path("office/centre/receipt/<appnumber:number>/", centre.receipt, name="centre-receipt"),
    path("office/centre/applications/<appnumber:number>/amend/", centre.amend, name="centre-amend"),
    path("office/centre/applications/<appnumber:number>/withdraw/", centre.withdraw, name="centre-withdraw"),
    path("office/centre/finish/", centre.finish, name="centre-finish"),
    path("office/statistics/", statistics.statistics, name="statistics"),
]
