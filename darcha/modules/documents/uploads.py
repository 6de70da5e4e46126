"""Refusing oversized files while the request body streams in, before Django's own upload
handlers write them to memory or disk."""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeCapUploadHandler(FileUploadHandler):
    """Skips any file part larger than ``max_bytes``: the rest of it is read off the wire
    and dropped, the handlers after this one never see it, and its field name is kept in
    ``oversized`` so the view can say why the file is missing."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.oversized: set[str] = set()

    def new_file(
        self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None
    ):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if content_length is not None and content_length > self.max_bytes:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int):
        return None

    def _refuse(self):
        self.oversized.add(self.field_name)
        raise SkipFile
