import uuid

from ninja import Router, Schema

from darcha.modules.apiaccess.api import ApiKeyAuth, ErrorOut

router = Router(tags=["access"])


class WhoAmIOut(Schema):
    client_id: uuid.UUID
    client: str
    agency: str
    key_prefix: str
    scopes: list[str]


@router.get(
    "/whoami",
    auth=ApiKeyAuth(),
    response={200: WhoAmIOut, 401: ErrorOut},
    summary="The calling system, its agency and the scopes of its key",
)
def whoami(request):
    principal = request.auth
    return WhoAmIOut(
        client_id=principal.client_id,
        client=principal.client_name,
        agency=principal.agency_code,
        key_prefix=principal.key_prefix,
        scopes=list(principal.scopes),
    )
