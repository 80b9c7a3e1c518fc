"""Queue this process's SQLite writers on a Python lock instead of SQLite's busy sleeps.

SQLite lets one writer at a time hold a database. A second writer gets ``SQLITE_BUSY``
and its busy handler *sleeps* before retrying: 1, 2, 5, 10 … up to 100 ms a time. With
eight upload threads committing at once, some uploads slept 50–100 ms while the lock
had long been free: the tail of the upload latency. Here a write statement first takes
a per-database ``threading.Lock`` (released when its transaction commits, rolls back or
the connection closes), so writers in this process wait in line and wake the moment the
previous one is done. Other processes (the embedded worker) still meet SQLite's own
locking and busy handler; the lock is only ever an ordering hint in front of it.

A wait on the Python lock is bounded by the connection's busy timeout; past it the
statement runs anyway and SQLite's own handling decides, exactly as without this module.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any, Self

#: statements that make SQLite take its write lock (``BEGIN`` alone does not: it is deferred)
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(database: str) -> threading.Lock:
    key = str(Path(database).resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def _is_write(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)
    return bool(head) and head[0].upper() in _WRITE_VERBS


class WriterQueuedConnection(sqlite3.Connection):
    """A ``sqlite3.Connection`` whose first write of a transaction waits for this process's writers.

    Passed to :func:`sqlite3.connect` as ``factory`` (SQLAlchemy: ``connect_args``).
    """

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._writer_lock = _lock_for(database)
        self._lock_wait = float(kwargs.get("timeout", 5.0))
        self._holding = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory or _WriterQueuedCursor)

    # the C shortcuts make a plain cursor of their own: route them through ours
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, parameters)

    def _before_statement(self, sql: str) -> None:
        if not self._holding and _is_write(sql):
            self._holding = self._writer_lock.acquire(timeout=self._lock_wait)

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._writer_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


class _WriterQueuedCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        self._queue(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Self:
        self._queue(sql)
        return super().executemany(sql, parameters)

    def _queue(self, sql: str) -> None:
        connection = self.connection
        if isinstance(connection, WriterQueuedConnection):
            connection._before_statement(sql)
