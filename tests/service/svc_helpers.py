"""Small builders shared by the service tests (no corpus needed)."""

from __future__ import annotations

import io
import os
import time
from typing import Any

from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def make_pdf(marker: str = "", pages: int = 1) -> bytes:
    """A valid PDF; ``marker`` (kept in the metadata) makes the bytes unique."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"mapdocs test {marker}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def multipart(fields: dict[str, Any]) -> tuple[bytes, str]:
    """Encode a multipart body in memory (werkzeug's test builder spools big bodies to an
    unclosed temporary file, which ``filterwarnings=error`` reports)."""
    boundary, body = encode_multipart(fields)
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client: Any, headers: dict[str, str], data: bytes, panel: str = "generic",
           filename: str = "form.pdf", finish: bool = True, **extra: str) -> Any:
    """POST a file; with ``finish`` the queued extraction is then run (the response is as answered)."""
    body, content_type = multipart({"file": FileStorage(io.BytesIO(data), filename=filename), "panel": panel,
                                    **extra})
    response = client.post("/api/v1/documents", headers=headers, data=body, content_type=content_type)
    if finish:
        finish_jobs(client.application)
    return response


def finish_jobs(app: Any, timeout: float = 300.0) -> int:
    """Run every job queued on ``app``'s broker in this process, as a worker would, and wait for
    password jobs (which run in a thread of the web process); how many tasks ran.

    The uploads answer before extraction; tests that read records call this instead of
    sleeping. It consumes the real queue (the embedded SQLite broker in the test's data dir).
    """
    from service.jobs.dispatch import job_queue
    from service.jobs.worker import run_queued

    deadline = time.monotonic() + timeout
    total = 0
    while True:
        ran = run_queued(app)
        total += ran
        settled = job_queue(app).wait_local(timeout=max(0.0, deadline - time.monotonic()))
        if ran == 0 and settled:
            return total
        assert time.monotonic() < deadline, "jobs still running at the deadline"


def finished_job(client: Any, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    """``GET /api/v1/jobs/<id>`` once the queued jobs have run; asserts the job has finished."""
    finish_jobs(client.application)
    response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    job: dict[str, Any] = response.get_json()
    assert job["state"] in {"succeeded", "failed"}, job
    return job


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json(force=True)
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert "Traceback" not in response.get_data(as_text=True)
    if slug is not None:
        assert body["type"] == slug
    return body


#: run-scoped settings a child process must keep (the OCR cache of this test run, where shared/ is)
_INHERITED = ("MAPDOCS_OCR_CACHE_DIR", "MAPDOCS_SHARED_DIR")


def child_env(**settings: str) -> dict[str, str]:
    """The environment for a service/worker subprocess: no MAPDOCS_* settings of ours leak in,
    except the run-scoped ones, so a child never OCRs a page this run already read."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("MAPDOCS_") or key in _INHERITED}
    env.update(settings)
    return env
