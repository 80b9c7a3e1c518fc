"""Job settings as plain values: the broker URL, queue name, worker concurrency, time limits.

The settings (``MAPDOCS_BROKER_URL``, ``MAPDOCS_JOB_QUEUE``, ``MAPDOCS_WORKER_CONCURRENCY``,
``MAPDOCS_JOB_SOFT_TIME_LIMIT``, ``MAPDOCS_JOB_TIME_LIMIT``,
``MAPDOCS_BROKER_VISIBILITY_TIMEOUT``) and their defaults are listed once, in
:data:`service.config.DEFAULTS`; this module checks them and derives what the defaults
leave open. An empty broker URL means the embedded broker: kombu's SQLAlchemy transport
over ``<data dir>/broker.sqlite3``, no server needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import PREFIX, ConfigError, default_processes, setting

EMBEDDED_SCHEME = "sqla+sqlite"
BROKER_FILE = "broker.sqlite3"


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


def _positive(config: Mapping[str, Any], name: str) -> int:
    try:
        value = int(setting(config, name))
    except (TypeError, ValueError):
        raise ConfigError(f"{PREFIX}{name} must be an integer") from None
    if value <= 0:
        raise ConfigError(f"{PREFIX}{name} must be positive")
    return value


def _concurrency(config: Mapping[str, Any]) -> int:
    """As configured; by default two processes, or one on a single-core machine."""
    if setting(config, "WORKER_CONCURRENCY") is None:
        return default_processes()
    return _positive(config, "WORKER_CONCURRENCY")


def embedded_broker_url(data_dir: str) -> str:
    return f"{EMBEDDED_SCHEME}:///{Path(data_dir) / BROKER_FILE}"


def job_settings(config: Mapping[str, Any]) -> JobSettings:
    """The job settings of a resolved app configuration (``app.config``)."""
    broker = str(setting(config, "BROKER_URL")) or embedded_broker_url(str(setting(config, "DATA_DIR")))
    queue = str(setting(config, "JOB_QUEUE"))
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
