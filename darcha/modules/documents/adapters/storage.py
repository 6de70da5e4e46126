"""Where blob bytes live, addressed by their SHA-256. Only the filesystem for now; an
S3-compatible store implements the same four methods."""

import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobStore(Protocol):
    def put(self, sha256: str, data: bytes) -> bool:
        """Store ``data`` under its hash unless already there; True when it was written now."""

    def open(self, sha256: str) -> BinaryIO: ...

    def delete(self, sha256: str) -> None: ...

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every stored hash with the time it was written."""


class FileSystemBlobStore:
    """Files under ``root/ab/cd/<sha256>``, written to a temporary file and renamed into
    place, so a reader never sees a partial file and a crash leaves no half-written blob."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes) -> bool:
        target = self.path(sha256)
        if target.exists():
            # Fresh again, so the orphan sweep spares it while the new rows commit.
            os.utime(target)
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def stored(self) -> Iterator[tuple[str, datetime]]:
        for path in self.root.glob("??/??/*"):
            if SHA256.fullmatch(path.name):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def configured_store() -> BlobStore:
    return FileSystemBlobStore(Path(settings.MEDIA_ROOT) / "blobs")
