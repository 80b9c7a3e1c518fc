"""Small builders shared by the service tests (no corpus needed)."""

from __future__ import annotations

import io
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
           filename: str = "form.pdf", **extra: str) -> Any:
    body, content_type = multipart({"file": FileStorage(io.BytesIO(data), filename=filename), "panel": panel,
                                    **extra})
    return client.post("/api/v1/documents", headers=headers, data=body, content_type=content_type)


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
