"""``mapdocs serve`` on the embedded default runs its own worker child: the whole flow with no broker server.

Upload a dev form over HTTP, follow the job until it succeeds, fetch the record; on
exit the worker child goes with the server.
"""

from __future__ import annotations

import io
import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage

from tests.service.cli_run import REPO, mapdocs_argv
from tests.service.svc_helpers import child_env, multipart

pytestmark = [pytest.mark.slow, pytest.mark.corpus]

DEADLINE = 300.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _digital_dev_form(shared_dir: Path) -> Path:
    manifest = (shared_dir / "corpus" / "dev" / "MANIFEST.tsv").read_text().splitlines()[1:]
    for row in manifest:
        name, _layout, fmt = row.split("\t")[:3]
        if not fmt.startswith("scan") and name.endswith(".pdf"):
            return shared_dir / "corpus" / "dev" / name
    pytest.skip("no digital PDF form in the dev corpus")


def _request(url: str, token: str | None = None, data: bytes | None = None,
             content_type: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310  (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def _processes_with(data_dir: Path) -> list[int]:
    """Pids of live processes started for this data directory (the server and its worker child)."""
    needle = f"MAPDOCS_DATA_DIR={data_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def test_serve_runs_jobs_with_no_broker_server(tmp_path: Path, shared_dir: Path) -> None:
    form = _digital_dev_form(shared_dir)
    data_dir = tmp_path / "var"
    env = child_env(MAPDOCS_DATA_DIR=str(data_dir))
    subprocess.run([*mapdocs_argv(), "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True,
                   timeout=120)
    token = subprocess.run([*mapdocs_argv(), "users", "create", "Duty", "--role", "triage"], cwd=REPO,
                           env=env, check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen([*mapdocs_argv(), "serve", "--port", str(port)], cwd=REPO, env=env,
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _request(f"{base}/readyz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)

        part = FileStorage(io.BytesIO(form.read_bytes()), filename=form.name)
        body, content_type = multipart({"file": part, "panel": "generic"})
        status, uploaded = _request(f"{base}/api/v1/documents", token, body, content_type)
        assert status == 201, uploaded
        assert uploaded["job"]["state"] == "pending"

        deadline = time.monotonic() + DEADLINE
        while True:
            status, job = _request(f"{base}/api/v1/jobs/{uploaded['job']['id']}", token)
            assert status == 200
            if job["state"] in ("succeeded", "failed"):
                break
            assert time.monotonic() < deadline, f"job still {job['state']}\n{log_path.read_text()[-3000:]}"
            time.sleep(0.5)
        assert job["state"] == "succeeded", job
        assert job["errors"] == [] and job["pages_done"] == job["pages_total"]
        status, run = _request(f"{base}/api/v1/documents/{uploaded['id']}/record", token)
        assert status == 200 and run["error"] is None and run["record"] is not None
        assert len(_processes_with(data_dir)) >= 2  # the server and its worker child
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    deadline = time.monotonic() + 30
    while _processes_with(data_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_with(data_dir) == [], log_path.read_text()[-3000:]
