"""A job stopped by the worker's soft time limit reports ``extraction-timeout``, and the worker lives on.

A real prefork worker on the embedded broker, with a one-second soft limit, reads scans
whose text recogniser never answers: a ``tesseract`` first on the worker's ``PATH`` that
reports its version and then hangs, as a stuck recogniser does. Celery's soft limit then
interrupts the job inside the reader (the one-pass read of a one-page scan) and inside a
page task (a two-page scan is read page by page); both must end as the specific
``extraction-timeout``, never as ``damaged-document`` or the generic ``extraction-failed``.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import stat
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw

from service.context import EXTENSION
from service.models import ExtractionRun
from tests.service.cli_run import REPO, mapdocs_argv
from tests.service.svc_helpers import child_env, upload

pytestmark = pytest.mark.slow

SOFT_LIMIT = 1
#: the job must end well before the hard limit, which would kill the pool process instead
HARD_LIMIT = 60
DEADLINE = 120.0

HANGING_TESSERACT = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "tesseract 5.3.0"; exit 0; fi
exec sleep 600
"""


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "BROKER_URL": "", "JOB_QUEUE": f"mapdocs-test-{uuid.uuid4().hex[:12]}",
            "JOB_SOFT_TIME_LIMIT": SOFT_LIMIT, "JOB_TIME_LIMIT": HARD_LIMIT}


@pytest.fixture
def hanging_worker(cli_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tesseract"
    fake.write_text(HANGING_TESSERACT)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = child_env(**cli_env, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([*mapdocs_argv(), "worker", "--concurrency", "1"], cwd=REPO, env=env,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process, log_path
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # pool processes and a hanging recogniser left behind
            os.killpg(process.pid, signal.SIGKILL)


def _scan(frames: int, marker: str) -> bytes:
    """A scan of ``frames`` pages at 200 dpi, made unique by ``marker`` (no OCR cache entry can match)."""
    pages = []
    for number in range(frames):
        page = Image.new("L", (1654, 2339), 255)
        ImageDraw.Draw(page).text((200, 200 + 40 * number), f"Assessment {marker} {number}", fill=0)
        pages.append(page)
    out = io.BytesIO()
    if frames == 1:
        pages[0].save(out, format="PNG", dpi=(200, 200))
    else:
        pages[0].save(out, format="TIFF", save_all=True, append_images=pages[1:], dpi=(200, 200),
                      compression="tiff_deflate")
    return out.getvalue()


def _wait(client: FlaskClient, headers: dict[str, str], job_id: str, worker: subprocess.Popen[bytes],
          log_path: Path) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
        if job["state"] in ("succeeded", "failed"):
            return job
        assert worker.poll() is None, "worker exited\n" + log_path.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, f"job still {job['state']}\n" + \
            log_path.read_text(errors="replace")[-3000:]
        time.sleep(0.3)


def test_a_soft_time_limit_ends_the_job_as_extraction_timeout(
        app: Flask, client: FlaskClient, auth: Callable[..., dict[str, str]],
        hanging_worker: tuple[subprocess.Popen[bytes], Path]) -> None:
    worker, log_path = hanging_worker
    headers = auth("triage")
    marker = uuid.uuid4().hex[:8]
    one = upload(client, headers, _scan(1, marker), filename="scan.png", finish=False).get_json()
    two = upload(client, headers, _scan(2, marker), filename="scan.tif", finish=False).get_json()

    whole = _wait(client, headers, one["job"]["id"], worker, log_path)
    paged = _wait(client, headers, two["job"]["id"], worker, log_path)

    log_text = log_path.read_text(errors="replace")
    assert "SoftTimeLimitExceeded" in log_text or "soft time limit" in log_text.lower(), log_text[-3000:]
    for job in (whole, paged):
        assert job["state"] == "failed" and [e["type"] for e in job["errors"]] == ["extraction-timeout"], job
    record = client.get(f"/api/v1/documents/{one['id']}/record", headers=headers)
    assert record.status_code == 200 and record.get_json()["error"]["type"] == "extraction-timeout"
    with app.extensions[EXTENSION].db.session() as session:  # one failed run, none for the paged job
        assert session.query(ExtractionRun).filter_by(document_id=uuid.UUID(one["id"])).count() == 1
    assert worker.poll() is None, "the worker must survive a job stopped by its time limit"
