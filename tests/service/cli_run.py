"""Running ``mapdocs`` in a subprocess and measuring its peak memory.

A wrapper interpreter runs ``mapdocs`` as its only child and reports
``RUSAGE_CHILDREN.ru_maxrss`` for it, so the figure is that one command's peak, not the
largest of every child the test session has started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXTRACT_KEYS = {"file", "record", "confidence", "provenance", "issues", "error"}

_WRAPPER = r"""
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, timeout=120)
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
print(json.dumps({"rc": proc.returncode, "stdout": proc.stdout.decode("utf-8"), "peak_kib": peak_kib}))
"""


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    peak_bytes: int

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def mapdocs_argv() -> list[str]:
    script = Path(sys.executable).parent / "mapdocs"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "service"]


def run_mapdocs(*args: str, env: dict[str, str] | None = None) -> CliRun:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *mapdocs_argv(), *args], capture_output=True,
                          text=True, env=full_env, cwd=REPO, timeout=180, check=True)
    report = json.loads(proc.stdout)
    return CliRun(report["rc"], report["stdout"], proc.stderr, report["peak_kib"] * 1024)


def assert_extract_line(line: dict[str, Any]) -> None:
    """The exact shape of one ``mapdocs extract`` line."""
    assert set(line) == EXTRACT_KEYS
    assert isinstance(line["confidence"], dict) and isinstance(line["provenance"], dict)
    assert all(0.0 <= value <= 1.0 for value in line["confidence"].values())
    for location in line["provenance"].values():
        assert set(location) in ({"page", "bbox"}, {"part", "table", "row", "cell", "paragraph"})
    for issue in line["issues"]:
        assert set(issue) == {"path", "severity", "message"}
    if line["error"] is not None:
        assert set(line["error"]) == {"type", "detail"}
        assert line["record"] is None
