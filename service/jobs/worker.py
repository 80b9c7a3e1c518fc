"""Running workers: a Celery worker in this process, a burst over what is queued, or a managed child.

- :func:`run_worker` — the ``mapdocs worker`` command: a prefork Celery worker on the
  job queue (hard time limits need prefork: the pool process is killed, the worker lives).
- :func:`run_queued` — executes the messages waiting now, in this process, then returns
  (``mapdocs worker --burst``; the tests use it to finish jobs without a subprocess).
- :class:`EmbeddedWorker` — the worker child process ``mapdocs serve`` starts on the
  embedded broker, restarts if it dies, and stops on exit.
- :func:`prepare_embedded_broker` — on the embedded broker, what a worker does before
  consuming: the SQLite transport never gives back a message whose worker was killed, so
  delivered messages are cleared and every unfinished job is submitted again (the only
  worker is starting, so no other can be running them; the tasks are idempotent).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Flask
from kombu.connection import Connection
from sqlalchemy import create_engine, inspect, text

from service.jobs.celery_app import celery_init_app, settings_of
from service.jobs.settings import EMBEDDED_SCHEME

log = logging.getLogger(__name__)

#: seconds between restarts of a child that keeps dying, doubled up to the cap
RESTART_BACKOFF = (1.0, 30.0)


def worker_argv(app: Flask, *, concurrency: int | None = None, loglevel: str = "INFO") -> list[str]:
    settings = settings_of(app)
    return ["worker", f"--concurrency={concurrency or settings.concurrency}", f"--loglevel={loglevel}",
            "--pool=prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
            f"--queues={settings.queue}", f"--hostname=mapdocs-{os.getpid()}@%h"]


def run_worker(app: Flask, *, concurrency: int | None = None, loglevel: str = "INFO") -> None:
    """Consume the job queue until told to stop (SIGTERM: finish running tasks, then exit)."""
    if settings_of(app).embedded:
        prepare_embedded_broker(app)
    celery_init_app(app).worker_main(worker_argv(app, concurrency=concurrency, loglevel=loglevel))


def run_queued(app: Flask, *, limit: int | None = None) -> int:
    """Execute the messages waiting in the job queue here and now; how many were run.

    Each message is acknowledged after its task has run, as a worker would. Messages
    that tasks publish meanwhile (page tasks, retries) are run in the same pass.
    """
    from service.jobs.dispatch import QUEUE_EXTENSION  # dispatch imports the tasks: not at import time

    handing_over = app.extensions.get(QUEUE_EXTENSION)
    if handing_over is not None:  # what this process submitted is on the broker before reading it
        handing_over.flush(timeout=60)
    celery = celery_init_app(app)
    settings = settings_of(app)
    done = 0
    with celery.connection_for_read() as conn, conn.SimpleQueue(
            celery.amqp.queues[settings.queue], no_ack=False, accept=["json"]) as queue:
        while limit is None or done < limit:
            try:
                message = queue.get_nowait()
            except queue.Empty:
                break
            task = celery.tasks.get(message.headers.get("task", ""))
            if task is None:
                log.warning("dropping a message for an unknown task")
                message.reject()
                continue
            args, kwargs, _embed = message.decode()
            task.apply(args=args, kwargs=kwargs, task_id=message.headers.get("id"),
                       retries=message.headers.get("retries") or 0)
            message.ack()
            done += 1
    return done


def prepare_embedded_broker(app: Flask) -> int:
    """Clear delivered messages of the SQLite broker; submit unfinished jobs and batches again; how many."""
    from service.jobs.dispatch import requeue_unfinished

    settings = settings_of(app)
    path = settings.broker_url.removeprefix(f"{EMBEDDED_SCHEME}:///")
    if Path(path).exists():
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
        try:
            if inspect(engine).has_table("kombu_message"):
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM kombu_message WHERE visible = 0"))
        finally:
            engine.dispose()
    from service.batches.dispatch import requeue_unfinished_batches

    count = requeue_unfinished(app) + requeue_unfinished_batches(app, include_running=True)
    if count:
        log.info("submitted %d unfinished job(s) again", count)
    return count


def broker_reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether a broker answers at ``url`` (used by ``/readyz``-style checks and the tests)."""
    try:
        with Connection(url, connect_timeout=timeout) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:  # noqa: BLE001  (any failure to connect means "no")
        return False


class EmbeddedWorker:
    """A ``mapdocs worker`` child process, restarted when it dies, stopped with its parent.

    The child runs in its own process group so stopping it also stops its pool
    processes; it is told to exit if its parent disappears (``--exit-with-parent``).
    """

    def __init__(self, argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> None:
        self.argv = list(argv or [sys.executable, "-m", "service", "worker", "--exit-with-parent"])
        self.env = dict(os.environ if env is None else env)
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._thread = threading.Thread(target=self._supervise, name="mapdocs-worker-supervisor", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        log.info("embedded worker started (pid %d)", self.process.pid)

    def _supervise(self) -> None:
        delay = RESTART_BACKOFF[0]
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            log.warning("embedded worker exited (code %s); restarting", code)
            if time.monotonic() - started > 60:
                delay = RESTART_BACKOFF[0]
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, RESTART_BACKOFF[1])
            self.restarts += 1
            self._spawn()

    def stop(self, grace: float = 20.0) -> None:
        """Warm shutdown (running tasks finish, unstarted ones go back to the queue), then kill."""
        self._stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)  # the main process stops its pool itself
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("embedded worker did not stop in %.0f s; killing it", grace)
            self._signal(process, signal.SIGKILL)
            process.wait(timeout=10)

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    """Stop this process (SIGTERM to itself: a warm shutdown) once its parent has gone."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="mapdocs-parent-watch", daemon=True).start()


def worker_config_summary(app: Flask) -> dict[str, Any]:
    """What ``mapdocs worker`` prints on start: transport, queue, concurrency (no credentials)."""
    settings = settings_of(app)
    return {"transport": settings.transport, "queue": settings.queue, "concurrency": settings.concurrency,
            "soft_time_limit": settings.soft_time_limit, "time_limit": settings.time_limit}
