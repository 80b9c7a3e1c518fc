"""A lock per original's object key, shared by every process using the same database.

Originals are stored once per content and shared between documents (the same bytes
sent to two panels), so deleting a document removes the object only when no row still
points at it. Counting rows and then deleting the object is check-then-act: an upload
of the same bytes could commit its row in between (it skipped the put because the
object existed) and be left pointing at nothing. Both sides therefore hold the key's
lock: an upload from its existence check until its row is committed, a deletion from
its count until the object is gone.

The lock lives where the database lives, so it reaches every process that shares it:
PostgreSQL advisory locks for PostgreSQL (any number of machines), ``flock`` on a file
beside the SQLite database for the embedded default (one machine). Keys are hashed
into 4096 lock slots: an unrelated key sharing a slot only waits, never deadlocks, as
no code path holds two key locks at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text

SLOTS = 4096
#: first key of PostgreSQL's two-integer advisory locks, so ours never meet another program's
NAMESPACE = 0x6D617064  # "mapd"
_MEMORY_LOCKS = [threading.Lock() for _ in range(64)]


def _slot(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % SLOTS


@contextlib.contextmanager
def object_key_lock(engine: Engine, key: str) -> Iterator[None]:
    """Hold ``key``'s lock for the ``with`` block (blocking until it is free)."""
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(engine, _slot(key)):
            yield
        return
    database = engine.url.database or ""
    if backend == "sqlite" and database and database != ":memory:":
        with _file_lock(Path(database), _slot(key)):
            yield
        return
    with _MEMORY_LOCKS[_slot(key) % len(_MEMORY_LOCKS)]:  # one process by definition
        yield


@contextlib.contextmanager
def _advisory_lock(engine: Engine, slot: int) -> Iterator[None]:
    # a connection of its own: the lock must outlive the caller's transactions
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:namespace, :slot)"),
                     {"namespace": NAMESPACE, "slot": slot})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:namespace, :slot)"),
                         {"namespace": NAMESPACE, "slot": slot})
            conn.commit()


@contextlib.contextmanager
def _file_lock(database: Path, slot: int) -> Iterator[None]:
    folder = database.parent / f"{database.name}.keylocks"
    folder.mkdir(mode=0o700, exist_ok=True)
    # each open() is its own open file description, so threads of one process exclude
    # each other as well as other processes
    with open(folder / f"{slot:03x}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
