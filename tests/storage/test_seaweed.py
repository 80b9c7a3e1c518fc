"""The SeaweedFS helper must fail loudly and usefully when the server cannot start."""

from __future__ import annotations

from pathlib import Path

import pytest
from seaweed import SeaweedStartError, start_seaweedfs


def _fake_weed(folder: Path, script: str) -> str:
    """An executable stand-in for ``weed`` that runs ``script`` (shell) instead of a server."""
    fake = folder / "weed"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    return str(fake)


def test_start_failure_reports_exit_status_and_log_tail(tmp_path: Path) -> None:
    fake = _fake_weed(tmp_path, "echo 'fatal: cannot bind 127.0.0.1'\nexit 3")
    with pytest.raises(SeaweedStartError, match=r"(?s)status 3.*fatal: cannot bind"):
        start_seaweedfs(tmp_path, binary=fake, timeout=10)


def test_start_timeout_reports_and_stops_the_process(tmp_path: Path) -> None:
    fake = _fake_weed(tmp_path, "echo 'still starting'\nexec sleep 60")
    with pytest.raises(SeaweedStartError, match=r"(?s)within 1s.*still starting"):
        start_seaweedfs(tmp_path, binary=fake, timeout=1)
