import pytest
from django.contrib.auth import get_user_model

from darcha.modules.documents.adapters.storage import FileSystemBlobStore


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores its files in a folder of its own, with no scanner configured."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_CLAMD_ADDRESS = ""
    return settings.MEDIA_ROOT


@pytest.fixture
def blob_store(media_root):
    return FileSystemBlobStore(media_root / "blobs")


@pytest.fixture
def stored_files(media_root):
    """Every file under the media root, temporary ones included."""

    def listing():
        return sorted(p.relative_to(media_root) for p in media_root.rglob("*") if p.is_file())

    return listing


@pytest.fixture
def make_account(db):
    numbers = iter(range(10**6))

    def make():
        return get_user_model().objects.create_user(username=f"3150590{next(numbers):07d}", password=None)

    return make
