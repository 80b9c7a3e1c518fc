"""The behaviour every backend promises; runs once per backend through the ``store`` fixture."""

from __future__ import annotations

import hashlib
import io
import os
import urllib.request

import pytest

from storage import InvalidKey, ObjectNotFound, ObjectStore
from storage.keys import content_key, random_key

SECRET = b"s" * 32
BIG = 10 * 1024 * 1024 + 12_345  # > 10 MiB: several file frames, two S3 multipart parts


class OneWayStream(io.RawIOBase):
    """A non-seekable stream that returns short reads, like a socket or a pipe."""

    def __init__(self, data: bytes, step: int = 70_001) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        count = min(len(buffer), self._step, len(self._data))
        buffer[:count] = self._data[:count]
        self._data = self._data[count:]
        return count


def test_put_returns_what_was_stored(store: ObjectStore) -> None:
    data = b"%PDF-1.7 minimal"
    info = store.put("originals/aa/one", data, content_type="application/pdf", metadata={"kind": "original"})
    assert info.key == "originals/aa/one"
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.content_type == "application/pdf"
    assert info.metadata == {"kind": "original"}
    assert info.encrypted


def test_round_trip_small_and_empty(store: ObjectStore) -> None:
    store.put("a/small", b"hello")
    store.put("a/empty", b"")
    assert store.get_bytes("a/small") == b"hello"
    assert store.get_bytes("a/empty") == b""
    with store.open("a/empty") as stream:
        assert stream.read() == b""


def test_large_object_round_trips_byte_exact(store: ObjectStore) -> None:
    data = os.urandom(BIG)
    info = store.put("big/object", data, content_type="application/pdf")
    assert info.size == BIG
    assert store.head("big/object").size == BIG
    assert store.get_bytes("big/object") == data


def test_streaming_read_in_pieces(store: ObjectStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 7)
    store.put("stream/read", data)
    digest = hashlib.sha256()
    total = 0
    with store.open("stream/read") as stream:
        first = stream.read(10)
        assert first == data[:10]
        digest.update(first)
        total += len(first)
        while piece := stream.read(65_536):
            digest.update(piece)
            total += len(piece)
    assert total == len(data)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_put_from_seekable_stream(store: ObjectStore) -> None:
    data = os.urandom(BIG)
    info = store.put("stream/seekable", io.BytesIO(data), content_type="application/pdf")
    assert info.size == BIG
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert store.head("stream/seekable").sha256 == info.sha256
    assert store.get_bytes("stream/seekable") == data


def test_put_from_one_way_stream_with_short_reads(store: ObjectStore) -> None:
    data = os.urandom(2 * 1024 * 1024 + 3)
    info = store.put("stream/oneway", OneWayStream(data))  # type: ignore[arg-type]
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert store.get_bytes("stream/oneway") == data


def test_head_reports_type_size_digest_and_metadata(store: ObjectStore) -> None:
    data = b"PK\x03\x04 docx-ish"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    store.put("h/doc", data, content_type=content_type, metadata={"source": "upload", "pages": "3"})
    info = store.head("h/doc")
    assert info.key == "h/doc"
    assert info.size == len(data)
    assert info.content_type == content_type
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.metadata == {"source": "upload", "pages": "3"}
    assert info.encrypted


def test_exists_and_delete(store: ObjectStore) -> None:
    store.put("d/x", b"1")
    assert store.exists("d/x")
    store.delete("d/x")
    assert not store.exists("d/x")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("d/x")
    store.delete("d/x")  # deleting a missing key is not an error
    store.delete("never/was")


def test_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound):
        store.open("no/such")
    with pytest.raises(ObjectNotFound):
        store.head("no/such")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("no/such")
    assert not store.exists("no/such")


def test_list_by_prefix(store: ObjectStore) -> None:
    keys = {"originals/ab/one", "originals/ab/two", "originals/cd/three", "rendered/ab/four", "top"}
    for key in keys:
        store.put(key, key.encode())
    assert set(store.list()) == keys
    assert set(store.list("originals/")) == {"originals/ab/one", "originals/ab/two", "originals/cd/three"}
    assert set(store.list("originals/ab/")) == {"originals/ab/one", "originals/ab/two"}
    assert set(store.list("originals/a")) == {"originals/ab/one", "originals/ab/two"}
    assert set(store.list("originals/ab/t")) == {"originals/ab/two"}
    assert set(store.list("nothing/")) == set()


def test_key_and_nested_key_coexist(store: ObjectStore) -> None:
    store.put("a", b"outer")
    store.put("a/b", b"inner")
    assert store.get_bytes("a") == b"outer"
    assert store.get_bytes("a/b") == b"inner"
    assert set(store.list("a")) == {"a", "a/b"}


def test_putting_the_same_key_again_is_idempotent(store: ObjectStore) -> None:
    data = os.urandom(100_000)
    key = content_key(data, secret=SECRET)
    first = store.put(key, data, content_type="application/pdf")
    second = store.put(key, data, content_type="application/pdf")
    assert first == second
    assert store.get_bytes(key) == data
    assert list(store.list("originals/")) == [key]


def test_overwrite_replaces_the_whole_object(store: ObjectStore) -> None:
    store.put("o/k", os.urandom(3 * 1024 * 1024), metadata={"v": "1"})
    store.put("o/k", b"short", metadata={"v": "2"})
    assert store.get_bytes("o/k") == b"short"
    assert store.head("o/k").metadata == {"v": "2"}
    assert store.head("o/k").size == 5


def test_server_generated_keys_are_accepted(store: ObjectStore) -> None:
    original = content_key(b"form", secret=SECRET)
    rendered = random_key("rendered", suffix=".pdf")
    store.put(original, b"form")
    store.put(rendered, b"letter")
    assert store.get_bytes(original) == b"form"
    assert store.get_bytes(rendered) == b"letter"


@pytest.mark.parametrize(
    "key",
    ["", "../escape", "a/../../etc/passwd", "/etc/passwd", "a\\b", "a//b", "a/", "./a", "a/./b", ".hidden",
     "nul\x00byte", "sp ace", "caf\u00e9", "x/y.obj"],
)
def test_malformed_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, b"x")
    with pytest.raises(InvalidKey):
        store.open(key)
    with pytest.raises(InvalidKey):
        store.head(key)
    with pytest.raises(InvalidKey):
        store.delete(key)


@pytest.mark.parametrize("prefix", ["../", "/abs", "a\\", "a//", ".x"])
def test_malformed_list_prefixes_are_refused(store: ObjectStore, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        list(store.list(prefix))


def test_metadata_names_must_be_portable(store: ObjectStore) -> None:
    with pytest.raises(InvalidKey):
        store.put("m/k", b"x", metadata={"Upper": "x"})
    with pytest.raises(InvalidKey):
        store.put("m/k", b"x", metadata={"name": "caf\u00e9"})
    assert not store.exists("m/k")


def test_presigned_url_downloads_over_http_or_is_none(store: ObjectStore) -> None:
    data = os.urandom(4096)
    store.put("p/doc", data, content_type="application/pdf")
    url = store.presigned_url("p/doc", expires_in=3600)
    if store.scheme == "file":
        assert url is None
        return
    assert url is not None
    assert url.startswith("http://127.0.0.1:")
    assert "X-Amz-Expires=60" in url  # clamped to 60 seconds
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local test server
        assert response.read() == data


def test_check_passes_on_a_healthy_store(store: ObjectStore) -> None:
    store.check()
