"""This module's URLs, and a form view showing how callers cap upload sizes, without
depending on every other module loading."""

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from darcha.modules.documents import api

UPLOAD_CAP = 1000


class Witness(FileUploadHandler):
    """Records the bytes of each file that reach the handlers after the cap."""

    def __init__(self, request):
        super().__init__(request)
        self.seen: dict[str, int] = {}

    def receive_data_chunk(self, raw_data, start):
        self.seen[self.field_name] = self.seen.get(self.field_name, 0) + len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt
def capped_upload(request: HttpRequest):
    api.limit_upload_size(request, max_bytes=UPLOAD_CAP)
    witness = Witness(request)
    request.upload_handlers.insert(1, witness)
    return _capped_upload(request, witness)


@csrf_protect
def _capped_upload(request: HttpRequest, witness: Witness):
    return JsonResponse(
        {
            "files": {name: upload.size for name, upload in request.FILES.items()},
            "oversized": sorted(api.oversized_uploads(request)),
            "note": request.POST.get("note"),
            "seen": witness.seen,
        }
    )


urlpatterns = [
    path("", include("darcha.modules.documents.urls")),
    path("test-upload/", capped_upload),
]
