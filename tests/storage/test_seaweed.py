"""The SeaweedFS helper must fail loudly and usefully when the server cannot start."""

from __future__ import annotations

from pathlib import Path

import pytest
from seaweed import SeaweedStartError, start_seaweedfs


def test_start_failure_reports_exit_status_and_log_tail(tmp_path: Path) -> None:
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'fatal: cannot bind 127.0.0.1'\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(SeaweedStartError, match=r"(?s)status 3.*fatal: cannot bind"):
        start_seaweedfs(tmp_path, binary=str(fake), timeout=10)


def test_start_timeout_reports_and_stops_the_process(tmp_path: Path) -> None:
    fake = tmp_path / "weed"
    fake.write_text("#!/bin/sh\necho 'still starting'\nexec sleep 60\n")
    fake.chmod(0o755)
    with pytest.raises(SeaweedStartError, match=r"(?s)within 1s.*still starting"):
        start_seaweedfs(tmp_path, binary=str(fake), timeout=1)
