import uuid

from django.db import models


class Blob(models.Model):
    """Stored bytes, once per content: the file lives in the blob store under ``sha256``."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="documents_blob_safe_content_type",
            ),
        ]

    def __str__(self) -> str:
        return self.sha256


class Document(models.Model):
    """One upload by one owner; many documents may share a blob."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_id = models.CharField(max_length=64, db_index=True)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="documents")
    # For display and the download name only; never used to build a path.
    filename = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    purpose = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.id)
