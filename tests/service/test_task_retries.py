"""Extraction jobs and letter batches share one rule for a database or store that is away:
retry with backoff, then give up once, recording the failure (``retry_transient``).

A real Celery task run eagerly (in this process) over kombu's in-memory transport.
"""

from __future__ import annotations

from celery import Celery, Task
from sqlalchemy.exc import OperationalError

from service.jobs.tasks import MAX_RETRIES, retry_transient


def _task(fail_times: int, attempts: list[int], gave_up: list[str]) -> Task:
    app = Celery("retry-test", broker="memory://")
    app.conf.task_always_eager = True

    @app.task(bind=True, max_retries=None)
    def flaky(self: Task) -> str:
        attempts.append(self.request.retries or 0)
        if len(attempts) > fail_times:
            return "done"
        try:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database away"))
        except OperationalError as exc:
            retry_transient(self, exc, "job test", give_up=lambda: gave_up.append("failed"))
            return "given-up"

    return flaky


def test_a_dependency_back_after_two_tries_finishes_the_work_without_giving_up() -> None:
    attempts: list[int] = []
    gave_up: list[str] = []
    assert _task(2, attempts, gave_up).apply().get() == "done"
    assert attempts == [0, 1, 2] and gave_up == []


def test_a_dependency_that_stays_away_is_given_up_once_after_the_last_retry() -> None:
    attempts: list[int] = []
    gave_up: list[str] = []
    assert _task(100, attempts, gave_up).apply().get() == "given-up"
    assert attempts == list(range(MAX_RETRIES + 1))
    assert gave_up == ["failed"]
