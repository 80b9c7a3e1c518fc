"""What only the encrypted ``file://`` backend promises: confidentiality and tamper evidence on disk."""

from __future__ import annotations

import dataclasses
import io
import os
import stat
import tracemalloc
from pathlib import Path

import pytest

from storage import IntegrityError, InvalidKey, StorageConfig, StorageConfigError, open_store
from storage.local import LocalStore

PLAINTEXT = b"Child: Example Person, DOB 01/02/2015, Safeguarding concern. " * 2000


def object_file(store: LocalStore, key: str) -> Path:
    *dirs, name = key.split("/")
    return store.root.joinpath(*dirs, name + ".obj")


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def local(file_config: StorageConfig) -> LocalStore:
    store = open_store(file_config)
    assert isinstance(store, LocalStore)
    return store


@pytest.fixture
def small_frames(file_config: StorageConfig) -> LocalStore:
    """Tiny frames so a short object spans many frames (reordering/truncation tests)."""
    return LocalStore(file_config, frame_size=64)


def test_ciphertext_on_disk_reveals_neither_content_nor_metadata(local: LocalStore) -> None:
    local.put("originals/ab/doc", PLAINTEXT, content_type="application/pdf",
              metadata={"family-ref": "sensitive-marker-value"})
    files = [path for path in local.root.rglob("*") if path.is_file()]
    assert files == [object_file(local, "originals/ab/doc")]
    raw = files[0].read_bytes()
    assert len(raw) > len(PLAINTEXT)
    for needle in (b"Example Person", b"Safeguarding", b"sensitive-marker-value", b"application/pdf"):
        assert needle not in raw


def test_object_files_are_private_to_the_service(local: LocalStore) -> None:
    local.put("a/b", b"x")
    assert stat.S_IMODE(object_file(local, "a/b").stat().st_mode) == 0o600


def test_tampered_data_frame_fails_when_read(local: LocalStore) -> None:
    local.put("t/data", PLAINTEXT)
    path = object_file(local, "t/data")
    flip_byte(path, 28 + 1000)  # inside the first frame, after the 28-byte header
    with pytest.raises(IntegrityError):
        local.get_bytes("t/data")


def test_tamper_in_a_later_frame_is_caught_while_streaming(small_frames: LocalStore) -> None:
    small_frames.put("t/late", PLAINTEXT)
    path = object_file(small_frames, "t/late")
    flip_byte(path, path.stat().st_size - 200)  # last frame (metadata trailer is shorter than 200)
    with small_frames.open("t/late") as stream:
        assert stream.read(64) == PLAINTEXT[:64]  # early frames are fine
        with pytest.raises(IntegrityError):
            stream.read()


@pytest.mark.parametrize("where", ["header", "metadata", "trailer"])
def test_tampered_header_or_metadata_fails_head(local: LocalStore, where: str) -> None:
    local.put("t/meta", b"some bytes", metadata={"k": "v"})
    path = object_file(local, "t/meta")
    size = path.stat().st_size
    offset = {"header": 10, "metadata": size - 20, "trailer": size - 3}[where]
    flip_byte(path, offset)
    with pytest.raises(IntegrityError):
        local.head("t/meta")
    with pytest.raises(IntegrityError):
        local.get_bytes("t/meta")


def test_reordered_frames_are_detected(small_frames: LocalStore) -> None:
    small_frames.put("t/order", PLAINTEXT[:640])
    path = object_file(small_frames, "t/order")
    raw = bytearray(path.read_bytes())
    frame = 64 + 16
    one, two = slice(28, 28 + frame), slice(28 + frame, 28 + 2 * frame)
    raw[one], raw[two] = raw[two], raw[one]
    path.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError):
        small_frames.get_bytes("t/order")


def test_truncated_object_is_detected(small_frames: LocalStore) -> None:
    small_frames.put("t/trunc", PLAINTEXT[:640])
    path = object_file(small_frames, "t/trunc")
    raw = path.read_bytes()
    frame = 64 + 16
    path.write_bytes(raw[:28 + frame] + raw[28 + 2 * frame:])  # drop the second frame
    with pytest.raises(IntegrityError):
        small_frames.get_bytes("t/trunc")


def test_object_moved_to_another_key_is_detected(local: LocalStore) -> None:
    local.put("k/one", b"first document")
    local.put("k/two", b"second document")
    object_file(local, "k/one").replace(object_file(local, "k/two"))
    with pytest.raises(IntegrityError):
        local.head("k/two")
    with pytest.raises(IntegrityError):
        local.get_bytes("k/two")


def test_wrong_encryption_key_cannot_read(local: LocalStore, file_config: StorageConfig) -> None:
    local.put("w/key", PLAINTEXT)
    other = open_store(dataclasses.replace(file_config, encryption_key=b"\x01" * 32))
    with pytest.raises(IntegrityError):
        other.head("w/key")
    with pytest.raises(IntegrityError):
        other.get_bytes("w/key")
    assert local.get_bytes("w/key") == PLAINTEXT


@pytest.mark.parametrize("key", [b"", b"too short", b"x" * 31, b"x" * 33])
def test_missing_or_wrong_length_encryption_key_is_refused(file_config: StorageConfig, key: bytes) -> None:
    with pytest.raises(StorageConfigError, match="32-byte encryption key"):
        open_store(dataclasses.replace(file_config, encryption_key=key))


def test_symlink_out_of_the_root_is_refused(local: LocalStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (local.root / "evil").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidKey):
        local.put("evil/x", b"data")
    assert list(outside.iterdir()) == []


class FailingStream(io.RawIOBase):
    """Gives some data, then fails like a dropped upload."""

    def __init__(self) -> None:
        self._sent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._sent > 2 * 1024 * 1024:
            raise ConnectionResetError("client went away")
        count = len(buffer)
        buffer[:count] = b"\x00" * count
        self._sent += count
        return count


def test_failed_write_keeps_the_old_object_and_leaves_no_temp_file(local: LocalStore) -> None:
    local.put("f/k", b"old")
    with pytest.raises(ConnectionResetError):
        local.put("f/k", FailingStream())  # type: ignore[arg-type]
    assert local.get_bytes("f/k") == b"old"
    assert sorted(p.name for p in object_file(local, "f/k").parent.iterdir()) == ["k.obj"]


def test_streaming_read_keeps_memory_bounded(local: LocalStore) -> None:
    size = 12 * 1024 * 1024
    local.put("m/big", io.BytesIO(os.urandom(size)))
    tracemalloc.start()
    try:
        read = 0
        with local.open("m/big") as stream:
            while piece := stream.read(65_536):
                read += len(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == size
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while streaming {size} bytes"


def test_relative_and_localhost_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    key = b"\x02" * 32
    relative = open_store(StorageConfig(url="file://rel/store", encryption_key=key))
    assert isinstance(relative, LocalStore)
    assert relative.root == (tmp_path / "rel" / "store").resolve()
    absolute = open_store(StorageConfig(url=f"file://localhost{tmp_path}/abs", encryption_key=key))
    assert isinstance(absolute, LocalStore)
    assert absolute.root == (tmp_path / "abs").resolve()


def test_check_fails_when_the_root_disappears(local: LocalStore) -> None:
    from storage import StorageUnavailable

    local.check()
    local.root.rmdir()
    with pytest.raises(StorageUnavailable):
        local.check()


def test_store_without_fsync_still_round_trips(file_config: StorageConfig) -> None:
    store = open_store(dataclasses.replace(file_config, extra={"fsync": "false"}))
    store.put("n/k", PLAINTEXT)
    assert store.get_bytes("n/k") == PLAINTEXT
    store.delete("n/k")
    assert not store.exists("n/k")
