"""The ``file://`` backend: objects encrypted at rest in a local directory.

Each object is one file, written to a temporary name beside its final place, fsynced and
renamed, so readers see the old object or the new one, never a torn write, and data and
metadata can never disagree. The file is sealed with AES-256-GCM in frames so a large
object can be streamed with bounded memory while every byte stays authenticated:

``header | frame 0 | ... | frame n-1 | sealed metadata | u32 metadata length | end magic``

* ``header`` = magic (8) + random salt (16) + frame size (u32). The salt derives a fresh
  per-object key from the configured key with HKDF, so counter nonces never repeat.
* every frame's nonce holds its index and a final flag (truncation and reordering fail),
  and every seal uses ``header + object key`` as associated data (swapping files between
  keys, or splicing frames from another write of the same key, fails).
* the metadata (size, content type, SHA-256 of the plaintext, user metadata) is sealed the
  same way, so ``head`` needs neither the data nor a second file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage import streams
from storage.base import (
    IntegrityError,
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    StorageConfig,
    StorageConfigError,
    StorageUnavailable,
)
from storage.naming import RESERVED_SUFFIX, check_content_type, check_key, check_metadata, check_prefix

MAGIC = b"MAPDOCS1"
END_MAGIC = b"MAPDOCSE"
_HEADER = struct.Struct(">8s16sI")
_TRAILER = struct.Struct(">I8s")
_TAG = 16
KEY_BYTES = 32
DEFAULT_FRAME_SIZE = 1024 * 1024
#: Metadata is small (S3-sized user metadata plus a few fields); anything bigger is damage.
_MAX_SEALED_METADATA = 64 * 1024
_HKDF_INFO = b"mapdocs local object v1"


@dataclass(frozen=True)
class _Sealed:
    """What ``_open_sealed`` learned from an object file's header and metadata."""

    aead: AESGCM
    aad: bytes
    frame_size: int
    data_length: int
    info: ObjectInfo


class LocalStore(ObjectStore):
    scheme = "file"

    def __init__(self, config: StorageConfig, *, frame_size: int = DEFAULT_FRAME_SIZE) -> None:
        if len(config.encryption_key) != KEY_BYTES:
            raise StorageConfigError(
                "the file storage backend needs a 32-byte encryption key (StorageConfig.encryption_key); "
                "refusing to store documents unencrypted"
            )
        if not 1 <= frame_size <= 64 * 1024 * 1024:
            raise StorageConfigError("frame size must be between 1 byte and 64 MiB")
        self._master_key = bytes(config.encryption_key)
        self._frame_size = frame_size
        # fsync (file, then directory) is what makes a put durable; it costs a few ms per put.
        # extra["fsync"] = "false" trades that away for throwaway stores (benchmarks, tmpfs).
        self._fsync = config.extra.get("fsync", "true") != "false"
        self.root = _root_from_url(config.url)
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot create the local store root ({_errno_name(exc)})") from None
        self.root = self.root.resolve()

    # -- ObjectStore -----------------------------------------------------------------------

    def put(self, key: str, data: bytes | BinaryIO, *, content_type: str = "application/octet-stream",
            metadata: dict[str, str] | None = None) -> ObjectInfo:
        path = self._path(key)
        content_type = check_content_type(content_type)
        user_metadata = check_metadata(metadata)
        chunks = _memory_chunks(data, self._frame_size) if isinstance(data, bytes | bytearray | memoryview) \
            else streams.iter_stream(data, self._frame_size)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except OSError as exc:
            raise StorageUnavailable(f"cannot write to the local store ({_errno_name(exc)})") from None
        # Only our own writes are translated: an error raised by the caller's stream (a dropped
        # upload) propagates unchanged, and in every case the temporary file is removed.
        try:
            with os.fdopen(fd, "wb", buffering=0) as out:
                info = self._write_sealed(out, key, chunks, content_type, user_metadata)
                if self._fsync:
                    with _store_io("write to"):
                        os.fsync(out.fileno())
            with _store_io("write to"):
                Path(tmp_name).replace(path)
                if self._fsync:
                    _fsync_dir(path.parent)
        except BaseException:
            _unlink_quietly(tmp_name)
            raise
        return info

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        handle = self._open_file(path, key)
        try:
            sealed = self._open_sealed(handle, key)
        except BaseException:
            handle.close()
            raise
        frames = _decrypt_frames(handle, sealed)
        checked = streams.verified(frames, size=sealed.info.size, sha256=sealed.info.sha256)
        return streams.reader(checked, on_close=handle.close)

    def head(self, key: str) -> ObjectInfo:
        path = self._path(key)
        with self._open_file(path, key) as handle:
            return self._open_sealed(handle, key).info

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
            if self._fsync:
                _fsync_dir(path.parent)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageUnavailable(f"cannot delete from the local store ({_errno_name(exc)})") from None

    def list(self, prefix: str = "") -> Iterator[str]:
        check_prefix(prefix)
        directory, _, _ = prefix.rpartition("/")
        start = self.root / directory if directory else self.root
        if not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            relative = Path(dirpath).relative_to(self.root).as_posix()
            base = "" if relative == "." else relative + "/"
            for name in filenames:
                if name.startswith(".") or not name.endswith(RESERVED_SUFFIX):
                    continue
                key = base + name[: -len(RESERVED_SUFFIX)]
                if key.startswith(prefix):
                    yield key

    def check(self) -> None:
        if not self.root.is_dir() or not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable("the local store directory is missing or not writable")

    # -- internals -------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        """Map a key to its file, refusing anything that would leave the root (incl. symlinks)."""
        check_key(key)
        *directories, name = key.split("/")
        path = self.root.joinpath(*directories, name + RESERVED_SUFFIX)
        if not path.parent.resolve().is_relative_to(self.root):
            raise InvalidKey("object key resolves outside the local store")
        return path

    @staticmethod
    def _open_file(path: Path, key: str) -> IO[bytes]:
        try:
            return open(path, "rb", buffering=0)
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        except IsADirectoryError:
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise StorageUnavailable(f"cannot read from the local store ({_errno_name(exc)})") from None

    def _aead(self, salt: bytes) -> AESGCM:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=_HKDF_INFO)
        return AESGCM(hkdf.derive(self._master_key))

    def _write_sealed(self, out: IO[bytes], key: str, chunks: Iterator[bytes | memoryview],
                      content_type: str, user_metadata: dict[str, str]) -> ObjectInfo:
        header = _HEADER.pack(MAGIC, os.urandom(16), self._frame_size)
        aead = self._aead(header[8:24])
        aad = header + key.encode("ascii")
        _write_all(out, header)
        digest = hashlib.sha256()
        size = 0
        for index, (chunk, final) in enumerate(_mark_last(chunks)):
            digest.update(chunk)
            size += len(chunk)
            _write_all(out, aead.encrypt(_frame_nonce(index, final), chunk, aad))
        info = ObjectInfo(key=key, size=size, content_type=content_type, sha256=digest.hexdigest(),
                          encrypted=True, metadata=user_metadata)
        document = {"v": 1, "size": size, "content_type": content_type, "sha256": info.sha256,
                    "metadata": user_metadata}
        sealed_metadata = aead.encrypt(_METADATA_NONCE, json.dumps(document).encode(), aad)
        _write_all(out, sealed_metadata + _TRAILER.pack(len(sealed_metadata), END_MAGIC))
        return info

    def _open_sealed(self, handle: IO[bytes], key: str) -> _Sealed:
        """Read and authenticate header and metadata; leave ``handle`` at the first frame."""
        try:
            file_size = os.fstat(handle.fileno()).st_size
            if file_size < _HEADER.size + _TRAILER.size:
                raise IntegrityError("stored object is truncated")
            header = _read_exact(handle, _HEADER.size)
            magic, salt, frame_size = _HEADER.unpack(header)
            handle.seek(file_size - _TRAILER.size)
            metadata_length, end_magic = _TRAILER.unpack(_read_exact(handle, _TRAILER.size))
            if magic != MAGIC or end_magic != END_MAGIC or frame_size < 1:
                raise IntegrityError("stored object is not a mapdocs sealed object")
            data_length = file_size - _HEADER.size - _TRAILER.size - metadata_length
            if metadata_length > _MAX_SEALED_METADATA or data_length < _TAG:
                raise IntegrityError("stored object is damaged")
            handle.seek(file_size - _TRAILER.size - metadata_length)
            sealed_metadata = _read_exact(handle, metadata_length)
            handle.seek(_HEADER.size)
        except OSError as exc:
            raise StorageUnavailable(f"cannot read from the local store ({_errno_name(exc)})") from None
        aead = self._aead(salt)
        aad = header + key.encode("ascii")
        try:
            document = json.loads(aead.decrypt(_METADATA_NONCE, sealed_metadata, aad))
        except InvalidTag:
            raise IntegrityError(
                "stored object failed authentication (tampered, moved from another key, or wrong key)"
            ) from None
        size = int(document["size"])
        frames = max(1, -(-size // frame_size))
        if data_length != size + frames * _TAG:
            raise IntegrityError("stored object length does not match its metadata")
        info = ObjectInfo(key=key, size=size, content_type=str(document["content_type"]),
                          sha256=str(document["sha256"]), encrypted=True,
                          metadata={str(k): str(v) for k, v in document["metadata"].items()})
        return _Sealed(aead=aead, aad=aad, frame_size=frame_size, data_length=data_length, info=info)


def _root_from_url(url: str) -> Path:
    """``file:///abs/dir`` or ``file://relative/dir`` (relative to the working directory)."""
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "file" or not sep or not rest:
        raise StorageConfigError("file storage URL must look like file:///absolute/path")
    if rest.startswith("localhost/"):
        rest = rest[len("localhost"):]
    if "?" in rest or "#" in rest:
        raise StorageConfigError("file storage URL must not carry a query or fragment")
    return Path(rest)


def _decrypt_frames(handle: IO[bytes], sealed: _Sealed) -> Iterator[bytes]:
    """Yield each frame's plaintext in order; the last frame must carry the final flag."""
    remaining = sealed.data_length
    sealed_frame = sealed.frame_size + _TAG
    index = 0
    try:
        while True:
            length = min(sealed_frame, remaining)
            try:
                frame = _read_exact(handle, length)
            except OSError as exc:
                raise StorageUnavailable(f"cannot read from the local store ({_errno_name(exc)})") from None
            remaining -= length
            final = remaining == 0
            try:
                yield sealed.aead.decrypt(_frame_nonce(index, final), frame, sealed.aad)
            except InvalidTag:
                raise IntegrityError("stored object failed authentication (tampered or truncated)") from None
            if final:
                return
            index += 1
    finally:
        handle.close()


def _memory_chunks(data: bytes | bytearray | memoryview, size: int) -> Iterator[memoryview]:
    """Slices of in-memory data without copying it."""
    view = memoryview(data).cast("B")
    for start in range(0, len(view), size):
        yield view[start:start + size]


def _mark_last(chunks: Iterator[bytes | memoryview]) -> Iterator[tuple[bytes | memoryview, bool]]:
    """Pair each chunk with "is it the last one"; an empty object is one empty final chunk."""
    previous: bytes | memoryview | None = None
    for chunk in chunks:
        if previous is not None:
            yield previous, False
        previous = chunk
    yield (previous if previous is not None else b""), True


_METADATA_NONCE = b"\x01" + bytes(10) + b"\x01"


def _frame_nonce(index: int, final: bool) -> bytes:
    return b"\x00" + index.to_bytes(10, "big") + (b"\x01" if final else b"\x00")


def _read_exact(handle: IO[bytes], length: int) -> bytes:
    data = handle.read(length)
    if data is None or len(data) != length:
        parts = [data or b""]
        got = len(parts[0])
        while got < length:
            more = handle.read(length - got)
            if not more:
                raise IntegrityError("stored object is truncated")
            parts.append(more)
            got += len(more)
        data = b"".join(parts)
    return data


def _write_all(out: IO[bytes], data: bytes) -> None:
    """Unbuffered writes may be partial; loop until everything is on its way to disk."""
    view = memoryview(data)
    with _store_io("write to"):
        while view:
            written = out.write(view)
            view = view[written:]


@contextlib.contextmanager
def _store_io(action: str) -> Iterator[None]:
    """Report the store's own I/O failures (disk full, read-only) without paths in the message."""
    try:
        yield
    except OSError as exc:
        raise StorageUnavailable(f"cannot {action} the local store ({_errno_name(exc)})") from None


def _fsync_dir(directory: Path) -> None:
    """Make a rename or unlink durable: the directory entry lives in the directory's inode."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(name: str) -> None:
    with contextlib.suppress(OSError):
        Path(name).unlink()


def _errno_name(exc: OSError) -> str:
    """An errno name (e.g. ENOSPC) for messages: the exception's text would carry the path."""
    return errno.errorcode.get(exc.errno or 0, "I/O error")
