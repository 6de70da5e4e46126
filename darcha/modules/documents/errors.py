"""Why an upload was refused, in words the person who sent it can act on."""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

MESSAGES = {
    "too_large": _("The file is larger than the limit of %(limit)s. Reduce its size and upload it again."),
    "type_not_allowed": _("This type of file is not accepted here. Accepted types: %(types)s."),
    "broken_file": _(
        "The file is damaged or incomplete and cannot be opened. "
        "Save or scan it again and upload the new file."
    ),
    "pdf_scripts": _(
        "The PDF contains scripts or automatic actions, which are not accepted. "
        "Print it to a new PDF and upload that file."
    ),
    "pdf_attachments": _(
        "The PDF contains attached files, which are not accepted. Upload each document as a separate file."
    ),
    "pdf_encrypted": _(
        "The PDF is protected with a password. Save a copy without the password and upload it."
    ),
    "pdf_too_complex": _("The PDF is too complex to check. Print it to a new PDF and upload that file."),
    "too_many_pages": _("The PDF has more than %(limit)s pages. Split it into smaller files."),
    "image_bomb": _(
        "The image is too large: at most %(limit)s megapixels are accepted. "
        "Reduce its size and upload it again."
    ),
    "virus_found": _(
        "The file contains a virus and was not accepted. Check your device with an antivirus program."
    ),
    "empty_file": _("The file is empty. Choose the file again."),
    "scan_unavailable": _("The file could not be checked for viruses just now. Try again in a few minutes."),
}

# Too large is 413 and an unavailable scanner is the server's fault; the rest is bad content.
STATUS = {"too_large": 413, "scan_unavailable": 503}


class DocumentRejected(Exception):
    """An upload refused before anything was stored.

    ``message`` is translated when read, into the language active at that moment, so an
    error raised in a worker can still be shown in the reader's language.
    """

    def __init__(self, code: str, **params):
        if code not in MESSAGES:
            raise ValueError(f"unknown rejection code {code!r}")
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return gettext(MESSAGES[self.code]) % self.params

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 422)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
