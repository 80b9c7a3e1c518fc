"""Job settings as plain values: the broker URL, queue name, worker concurrency, time limits.

``MAPDOCS_BROKER_URL`` (default empty: the embedded broker)
    empty → kombu's SQLAlchemy transport over ``<data dir>/broker.sqlite3`` (no server);
    ``redis://127.0.0.1:6379/0`` or ``amqp://guest:guest@127.0.0.1:5672//`` in production.
``MAPDOCS_JOB_QUEUE`` (default ``mapdocs``)
    queue (and Redis key prefix) the jobs use; distinct names keep deployments apart.
``MAPDOCS_WORKER_CONCURRENCY`` (default ``2``, at most the CPU count)
    worker processes; each runs one single-threaded Tesseract at a time.
``MAPDOCS_JOB_SOFT_TIME_LIMIT`` / ``MAPDOCS_JOB_TIME_LIMIT`` (default ``300`` / ``360`` s)
    per task (a whole digital document, or one scanned page): the soft limit ends the
    job as failed, the hard limit kills the worker process.
``MAPDOCS_BROKER_VISIBILITY_TIMEOUT`` (default ``3600`` s, Redis only)
    how long a message taken by a worker that died stays invisible before Redis gives it
    to another worker; must exceed the hard time limit.

These are read from the app config first and then from the environment, so they work
before ``service.config`` lists them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import PREFIX, ConfigError

EMBEDDED_SCHEME = "sqla+sqlite"
BROKER_FILE = "broker.sqlite3"

_DEFAULTS: dict[str, Any] = {
    "JOB_QUEUE": "mapdocs",
    "WORKER_CONCURRENCY": 2,
    "JOB_SOFT_TIME_LIMIT": 300,
    "JOB_TIME_LIMIT": 360,
    "BROKER_VISIBILITY_TIMEOUT": 3600,
}


@dataclass(frozen=True)
class JobSettings:
    broker_url: str
    queue: str
    concurrency: int
    soft_time_limit: int
    time_limit: int
    visibility_timeout: int

    @property
    def embedded(self) -> bool:
        """The embedded broker: a SQLite file, consumed by one managed worker."""
        return self.broker_url.startswith(EMBEDDED_SCHEME + ":")

    @property
    def transport(self) -> str:
        return self.broker_url.split(":", 1)[0]


def _setting(config: Mapping[str, Any], name: str) -> Any:
    value = config.get(name)
    if value in (None, ""):
        value = os.environ.get(PREFIX + name)
    return _DEFAULTS[name] if value in (None, "") else value


def _positive(config: Mapping[str, Any], name: str) -> int:
    try:
        value = int(_setting(config, name))
    except (TypeError, ValueError):
        raise ConfigError(f"{PREFIX}{name} must be an integer") from None
    if value <= 0:
        raise ConfigError(f"{PREFIX}{name} must be positive")
    return value


def _concurrency(config: Mapping[str, Any]) -> int:
    """As configured; by default two processes, or one on a single-core machine."""
    explicit = config.get("WORKER_CONCURRENCY") or os.environ.get(PREFIX + "WORKER_CONCURRENCY")
    value = _positive(config, "WORKER_CONCURRENCY")
    return value if explicit else min(value, os.cpu_count() or 1)


def embedded_broker_url(data_dir: str) -> str:
    return f"{EMBEDDED_SCHEME}:///{Path(data_dir) / BROKER_FILE}"


def job_settings(config: Mapping[str, Any]) -> JobSettings:
    """The job settings of a resolved app configuration (``app.config``)."""
    broker = str(config.get("BROKER_URL") or "") or embedded_broker_url(str(config["DATA_DIR"]))
    queue = str(_setting(config, "JOB_QUEUE"))
    if not queue.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise ConfigError(f"{PREFIX}JOB_QUEUE may hold only letters, digits, '-', '_' and '.'")
    soft, hard = _positive(config, "JOB_SOFT_TIME_LIMIT"), _positive(config, "JOB_TIME_LIMIT")
    if hard <= soft:
        raise ConfigError(f"{PREFIX}JOB_TIME_LIMIT must be larger than {PREFIX}JOB_SOFT_TIME_LIMIT")
    return JobSettings(
        broker_url=broker,
        queue=queue,
        concurrency=_concurrency(config),
        soft_time_limit=soft,
        time_limit=hard,
        visibility_timeout=_positive(config, "BROKER_VISIBILITY_TIMEOUT"),
    )
