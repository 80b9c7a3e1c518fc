"""The worker's soft time limit, translated where it enters: an extraction error every reader lets through.

Celery's prefork pool enforces the soft limit by signalling the pool process, whose
handler (billiard's) raises a bare ``SoftTimeLimitExceeded`` wherever the task happens
to be — usually deep inside a reader, waiting for Tesseract or PDFium. The readers'
catch-alls rightly turn unknown exceptions into ``damaged-document`` (a vendor failure
must not escape an extractor) and the job's guard turns them into ``extraction-failed``,
so a job stopped for taking too long was reported as a damaged document.

:func:`soft_limit_as_extraction_timeout` therefore swaps that handler, for the length of
one task, for one raising :class:`JobTimeLimitExceeded`: both an
:class:`~extractors.errors.ExtractionTimeout` (readers re-raise extraction errors, and
the run is recorded as ``extraction-timeout``) and a ``SoftTimeLimitExceeded`` (Celery
and :class:`service.jobs.tasks.guarded` still see the limit). Outside a prefork pool
process (a task applied in the caller's process, a thread) no soft limit is enforced,
and nothing is changed.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from billiard import pool as billiard_pool
from billiard.exceptions import SoftTimeLimitExceeded

from extractors.errors import ExtractionTimeout


class JobTimeLimitExceeded(ExtractionTimeout, SoftTimeLimitExceeded):  # type: ignore[misc]  # billiard: untyped
    """The job ran past the worker's soft time limit (``MAPDOCS_JOB_SOFT_TIME_LIMIT``)."""

    title = "Reading the document took longer than the job time limit and was stopped"


def _raise_job_time_limit(_signum: int, _frame: FrameType | None) -> None:
    raise JobTimeLimitExceeded()


@contextlib.contextmanager
def soft_limit_as_extraction_timeout() -> Iterator[None]:
    """Within the block, the pool's soft-limit signal raises :class:`JobTimeLimitExceeded`."""
    signum = billiard_pool.SIG_SOFT_TIMEOUT
    if (signum is None or threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signum) is not billiard_pool.soft_timeout_sighandler):
        yield
        return
    signal.signal(signum, _raise_job_time_limit)
    try:
        yield
    finally:
        signal.signal(signum, billiard_pool.soft_timeout_sighandler)
