"""The isolated worker: one JSON line per file whatever happens, killed from outside at a deadline."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from extractors import isolated
from extractors.base import ExtractionContext
from extractors.isolated import run_worker


def test_extraction_error_becomes_its_slug(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    line = isolated.outcome(empty, ExtractionContext())
    assert line["file"] == "empty.pdf"
    assert line["ok"] is False
    assert line["error"] == {"type": "empty-file", "detail": "The file is empty"}
    assert line["peak_rss_kb"] > 0


def test_unexpected_exception_reports_only_its_class(tmp_path: Path) -> None:
    missing = tmp_path / "private-name-of-a-child.pdf"
    line = isolated.outcome(missing, ExtractionContext())
    assert line["error"] == {"type": "extraction-failed", "detail": "FileNotFoundError"}


def test_full_output_has_the_cli_shape(tmp_path: Path) -> None:
    unsupported = tmp_path / "note.txt"
    unsupported.write_bytes(b"just text")
    line = isolated.outcome(unsupported, ExtractionContext(), full=True)
    assert {"record", "confidence", "provenance", "issues", "error"} <= set(line)
    assert line["record"] is None
    assert line["error"]["type"] == "unsupported-media-type"


def test_main_prints_exactly_one_json_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "note.txt"
    note.write_bytes(b"x")
    assert isolated.main([str(note), "--memory-mb", "0"]) == 0  # 0: no cap on the test process
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["error"]["type"] == "unsupported-media-type"


@pytest.mark.slow
def test_memory_cap_turns_an_allocation_into_resource_limit_exceeded(tmp_path: Path) -> None:
    """59 M pixels pass the pixel limit, but decoding them does not fit in a 100 MiB address space."""
    big = tmp_path / "big.png"
    buffer = io.BytesIO()
    Image.new("L", (10_000, 5_900), 255).save(buffer, "PNG")
    big.write_bytes(buffer.getvalue())
    outcome = run_worker(big, memory_mb=100)
    assert outcome.slug == "resource-limit-exceeded", outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr


@pytest.mark.slow
def test_worker_is_killed_at_the_deadline(tmp_path: Path) -> None:
    """A deadline shorter than the interpreter's start-up: the supervisor kills, nothing hangs."""
    note = tmp_path / "note.txt"
    note.write_bytes(b"x")
    outcome = run_worker(note, timeout=0.01)
    assert outcome.killed
    assert outcome.slug == "extraction-timeout"
    assert outcome.exit_code is not None and outcome.exit_code < 0


@pytest.mark.slow
def test_password_reaches_the_worker_through_stdin(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("open-sesame", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    assert run_worker(locked).slug == "encrypted-document"
    assert run_worker(locked, password="wrong").slug == "encrypted-document"
    opened = run_worker(locked, password="open-sesame")
    assert opened.slug == "not-an-assessment-form"  # decrypted: a blank page is simply not a form


def test_a_killed_or_dead_worker_still_has_a_line() -> None:
    killed = isolated.WorkerOutcome("a.pdf", None, killed=True, exit_code=-9, peak_rss_kb=1, seconds=30,
                                    stderr="")
    assert killed.as_line()["error"]["type"] == "extraction-timeout"
    dead = isolated.WorkerOutcome("a.pdf", None, killed=False, exit_code=-11, peak_rss_kb=1, seconds=1,
                                  stderr="")
    assert dead.slug == isolated.GENERIC_SLUG
