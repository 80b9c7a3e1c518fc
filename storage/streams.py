"""Readable streams built from chunk iterators, with end-of-stream integrity checks.

Both backends produce an object's plaintext as an iterator of chunks (decrypted frames,
S3 body reads). Wrapping that iterator in a raw stream lets callers read objects of any
size with bounded memory, and checking size and SHA-256 as the last chunk passes means
nobody can read a corrupted object to its end without being told.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, BinaryIO

from storage.base import IntegrityError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Buffer of the BufferedReader handed to callers; one S3 read / file frame is ~1 MiB anyway.
_BUFFER_SIZE = 256 * 1024


class ChunkReader(io.RawIOBase):
    """A read-only raw stream over an iterator of byte chunks.

    ``on_close`` releases what the iterator reads from (file handle, HTTP body) even when
    the caller stops reading half-way.
    """

    def __init__(self, chunks: Iterator[bytes], on_close: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._chunks = chunks
        self._current = memoryview(b"")
        self._on_close = on_close

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bool:
        for chunk in self._chunks:
            if chunk:
                self._current = memoryview(chunk)
                return True
        return False

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        if not self._current and not self._next_chunk():
            return 0
        count = min(len(target), len(self._current))
        target[:count] = self._current[:count]
        self._current = self._current[count:]
        return count

    def readall(self) -> bytes:
        # Join whole chunks instead of RawIOBase's 8 KiB loop: one copy per chunk.
        parts = [bytes(self._current)]
        self._current = memoryview(b"")
        parts.extend(self._chunks)
        return b"".join(parts)

    def close(self) -> None:
        if not self.closed:
            try:
                close_iterator = getattr(self._chunks, "close", None)
                if close_iterator is not None:
                    close_iterator()
                if self._on_close is not None:
                    self._on_close()
            finally:
                super().close()


def reader(chunks: Iterator[bytes], on_close: Callable[[], None] | None = None) -> BinaryIO:
    """A buffered binary stream over ``chunks`` (what ``ObjectStore.open`` returns)."""
    return io.BufferedReader(ChunkReader(chunks, on_close), buffer_size=_BUFFER_SIZE)


def verified(
    chunks: Iterator[bytes], *, size: int | None, sha256: str | None
) -> Generator[bytes, None, None]:
    """Pass ``chunks`` through, raising ``IntegrityError`` at the end if size or digest differ."""
    digest = hashlib.sha256() if sha256 else None
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if size is not None and seen > size:
            raise IntegrityError("stored object is longer than recorded")
        if digest is not None:
            digest.update(chunk)
        yield chunk
    if size is not None and seen != size:
        raise IntegrityError("stored object is shorter than recorded")
    if digest is not None and digest.hexdigest() != sha256:
        raise IntegrityError("stored object does not match its recorded SHA-256")


def iter_stream(stream: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    """Read ``stream`` in chunks of exactly ``chunk_size`` bytes (the last may be shorter).

    Raw streams may return short reads; framing needs full chunks, so keep reading.
    """
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return
        if len(chunk) < chunk_size:
            parts = [chunk]
            filled = len(chunk)
            while filled < chunk_size:
                more = stream.read(chunk_size - filled)
                if not more:
                    break
                parts.append(more)
                filled += len(more)
            chunk = b"".join(parts)
            yield chunk
            if filled < chunk_size:
                return
            continue
        yield chunk
