"""``mapdocs serve`` on the embedded default: migrates, serves, answers /readyz, refuses anonymous API use."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.service.cli_run import REPO, mapdocs_argv
from tests.service.svc_helpers import child_env

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_serve_applies_migrations_and_answers_readyz(tmp_path: Path) -> None:
    port = _free_port()
    env = child_env(MAPDOCS_DATA_DIR=str(tmp_path / "var"))
    process = subprocess.Popen([*mapdocs_argv(), "serve", "--port", str(port)], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        status, body = 0, {}
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/readyz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                time.sleep(0.3)
        assert (status, body) == (200, {"status": "ok", "database": "ok", "storage": "ok",
                                        "broker": "ok"})
        status, problem = _get(f"http://127.0.0.1:{port}/api/v1/jobs/00000000-0000-4000-8000-000000000000")
        assert status == 401 and problem["type"] == "unauthorized"
        assert (tmp_path / "var" / "secrets.json").stat().st_mode & 0o777 == 0o600
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
