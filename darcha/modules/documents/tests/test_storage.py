"""The blob store: content-addressed, written atomically, orphans swept."""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from darcha.modules.documents import api
from darcha.modules.documents.models import Blob, Document
from darcha.modules.documents.tests import samples
from darcha.modules.documents.tests.samples import Upload


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_blobs_live_under_two_levels_of_their_hash(blob_store, media_root):
    data = b"content"
    assert blob_store.put(sha(data), data) is True
    assert blob_store.put(sha(data), data) is False
    path = media_root / "blobs" / sha(data)[:2] / sha(data)[2:4] / sha(data)
    assert path.read_bytes() == data
    with blob_store.open(sha(data)) as stored:
        assert stored.read() == data


@pytest.mark.parametrize("name", ["../../secret", "ABCDEF" + "0" * 58, "a" * 63, ""])
def test_only_hex_digests_name_a_blob(blob_store, name):
    with pytest.raises(ValueError):
        blob_store.put(name, b"x")


def test_a_write_that_fails_half_way_leaves_neither_the_blob_nor_a_temporary_file(
    blob_store, stored_files, monkeypatch
):
    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        blob_store.put(sha(b"data"), b"data")
    assert stored_files() == []


@pytest.mark.django_db
def test_when_the_file_cannot_be_written_no_rows_remain(stored_files, monkeypatch):
    def crash(source, target):
        raise OSError("read-only file system")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        api.document_intake(upload=Upload(samples.pdf(), "a.pdf"), owner_id="owner-1", max_bytes=10**6)
    assert not Blob.objects.exists() and not Document.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_a_missing_file_is_written_again_when_its_content_comes_back(blob_store):
    data = samples.pdf()
    first = api.document_intake(upload=Upload(data, "a.pdf"), owner_id="owner-1", max_bytes=10**6)
    blob_store.delete(first.sha256)

    api.document_intake(upload=Upload(data, "a.pdf"), owner_id="owner-1", max_bytes=10**6)
    with blob_store.open(first.sha256) as stored:
        assert stored.read() == data


def age(path: Path, hours: int) -> None:
    stamp = path.stat().st_mtime - hours * 3600
    os.utime(path, (stamp, stamp))


@pytest.mark.django_db
def test_the_sweep_removes_old_files_that_no_row_refers_to(blob_store, stored_files):
    kept = api.document_intake(upload=Upload(samples.pdf(), "a.pdf"), owner_id="owner-1", max_bytes=10**6)
    blob_store.put(sha(b"old orphan"), b"old orphan")
    blob_store.put(sha(b"new orphan"), b"new orphan")
    for digest in (kept.sha256, sha(b"old orphan")):
        age(blob_store.path(digest), hours=2)

    assert api.blob_sweep_orphans(older_than=timedelta(hours=1)) == 1
    assert {p.name for p in stored_files()} == {kept.sha256, sha(b"new orphan")}


@pytest.mark.django_db(transaction=True)
def test_rows_rolled_back_by_the_callers_transaction_leave_a_file_the_sweep_removes(blob_store, stored_files):
    class CallerFailed(Exception):
        pass

    with pytest.raises(CallerFailed), transaction.atomic():
        document = api.document_intake(
            upload=Upload(samples.pdf(), "a.pdf"), owner_id="owner-1", max_bytes=10**6
        )
        raise CallerFailed
    assert api.document_get(document.id) is None
    age(blob_store.path(document.sha256), hours=2)

    assert api.blob_sweep_orphans() == 1
    assert stored_files() == []


def test_storing_known_content_again_makes_it_fresh_for_the_sweep(blob_store):
    # An old orphan whose content is uploaded again must not be swept while the new rows
    # that refer to it are still uncommitted.
    blob_store.put(sha(b"data"), b"data")
    age(blob_store.path(sha(b"data")), hours=2)

    assert blob_store.put(sha(b"data"), b"data") is False
    assert [
        digest for digest, written in blob_store.stored() if written < timezone.now() - timedelta(minutes=1)
    ] == []
