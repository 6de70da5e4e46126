from django.http import Http404, HttpRequest
from django.views.decorators.http import require_safe

from darcha.modules.documents import api


@require_safe
def file(request: HttpRequest, token: str):
    # Every refusal is a 404, so a link never tells whether the document exists.
    viewer_id = request.user.pk if request.user.is_authenticated else None
    link = api.file_link(token, viewer_id=viewer_id)
    if link is None:
        raise Http404
    return api.document_response(document_id=link.document_id, inline=link.inline)
