"""SQLite writers of one process queue on a Python lock, held from a transaction's first
write until it commits, rolls back or its connection closes, and never by readers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from service.sqlite_writers import WriterQueuedConnection, _lock_for


def _connect(path: Path) -> WriterQueuedConnection:
    connection = sqlite3.connect(path, timeout=10, factory=WriterQueuedConnection, check_same_thread=False)
    assert isinstance(connection, WriterQueuedConnection)
    return connection


def _database(tmp_path: Path) -> Path:
    path = tmp_path / "queued.sqlite3"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (n INTEGER)")
    return path


def test_the_lock_is_held_from_the_first_write_to_commit_and_rollback(tmp_path: Path) -> None:
    path = _database(tmp_path)
    lock = _lock_for(str(path))
    connection = _connect(path)
    connection.execute("SELECT count(*) FROM t").fetchone()
    assert not lock.locked()  # readers never queue
    connection.execute("INSERT INTO t VALUES (1)")
    assert lock.locked()
    connection.commit()
    assert not lock.locked()
    connection.execute("  update t SET n = 2")
    assert lock.locked()
    connection.rollback()
    assert not lock.locked()
    connection.execute("DELETE FROM t")
    connection.close()  # closing mid-transaction gives the lock back too
    assert not lock.locked()


def test_a_second_writer_waits_for_the_first_and_both_commit(tmp_path: Path) -> None:
    path = _database(tmp_path)
    first, second = _connect(path), _connect(path)
    first.execute("INSERT INTO t VALUES (1)")
    done = threading.Event()

    def write_second() -> None:
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()
        done.set()

    writer = threading.Thread(target=write_second)
    writer.start()
    assert not done.wait(0.3)  # queued behind the first writer's open transaction
    first.commit()
    writer.join(10)
    assert done.is_set()
    assert sorted(n for (n,) in first.execute("SELECT n FROM t")) == [1, 2]
    first.close()
    second.close()
