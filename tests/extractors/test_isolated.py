"""The isolated worker: one JSON line per file whatever happens, killed from outside at a deadline."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter

from extractors import isolated
from extractors.base import ExtractionContext
from extractors.isolated import WorkerPool, run_many, run_worker


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


# --- the pool of long-lived batch workers ---------------------------------------------------------

SHARED_DIR = Path(os.environ.get("MAPDOCS_SHARED_DIR")
                  or Path(__file__).resolve().parents[2] / ".." / "shared").resolve()


def _note(tmp_path: Path, name: str) -> Path:
    note = tmp_path / name
    note.write_bytes(b"x")
    return note


@pytest.mark.slow
def test_pool_kills_a_file_past_its_deadline_and_goes_on_in_a_fresh_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(isolated.FAULT_ENV, "hang:hangs.txt")
    files = [_note(tmp_path, "hangs.txt"), _note(tmp_path, "after.txt")]
    started = time.monotonic()
    with WorkerPool(1, timeout=3) as pool:
        hung, after = pool.map(files)
    assert hung.killed
    assert hung.slug == "extraction-timeout"
    assert hung.exit_code < 0
    assert 3 <= hung.seconds < 10
    assert not after.killed
    assert after.slug == "unsupported-media-type"
    assert time.monotonic() - started < 120  # nothing waited for the hour the hook sleeps


@pytest.mark.slow
def test_pool_turns_a_worker_death_into_a_specific_outcome(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(isolated.FAULT_ENV, "crash:crashes.txt")
    files = [_note(tmp_path, "before.txt"), _note(tmp_path, "crashes.txt"), _note(tmp_path, "after.txt")]
    before, crashed, after = run_many(files, workers=1, timeout=30)
    assert before.slug == after.slug == "unsupported-media-type"
    assert crashed.crashed and not crashed.killed
    assert crashed.line is None
    assert crashed.exit_code == -signal.SIGSEGV
    assert crashed.slug == "damaged-document"
    assert crashed.as_line()["error"]["detail"] == isolated.CRASH_DETAIL


@pytest.mark.slow
def test_pool_memory_cap_gives_resource_limit_exceeded_and_the_pool_goes_on(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    buffer = io.BytesIO()
    Image.new("L", (10_000, 5_900), 255).save(buffer, "PNG")
    big.write_bytes(buffer.getvalue())
    bomb, after = run_many([big, _note(tmp_path, "after.txt")], workers=1, memory_mb=100)
    assert bomb.slug == "resource-limit-exceeded", bomb.stderr[-2000:]
    assert "Traceback" not in bomb.stderr
    assert after.slug == "unsupported-media-type"


@pytest.mark.slow
def test_pool_peak_memory_is_per_file(tmp_path: Path) -> None:
    """The big decode's figure sees the decode; the small file after it is not given it.

    A fresh single-file worker's figure also holds the import-time peak of loading the
    libraries, which the pool resets once they are loaded, so the pool may report less but
    never more than the fresh worker (beyond measurement noise). The small file's figure
    after the big one is not its figure alone: memory the allocator keeps stays resident,
    which the pool bounds by replacing a worker that grew too much.
    """
    big = tmp_path / "big.png"
    buffer = io.BytesIO()
    Image.new("L", (6_000, 6_000), 255).save(buffer, "PNG")
    big.write_bytes(buffer.getvalue())
    small = _note(tmp_path, "small.txt")
    with WorkerPool(1) as pool:
        alone = pool.extract(small).peak_rss_kb
        big_peak = pool.extract(big).peak_rss_kb
        after_big = pool.extract(small).peak_rss_kb
    single = run_worker(big).peak_rss_kb
    assert big_peak <= single + single // 10
    assert big_peak > alone + 100 * 1024  # 36 M pixels: the figure sees the decode
    assert 0 < after_big < alone + isolated.RECYCLE_GROWTH_KB < big_peak


@pytest.mark.slow
def test_pool_password_travels_in_the_request(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("open-sesame", algorithm="AES-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    with WorkerPool(1) as pool:
        assert pool.extract(locked).slug == "encrypted-document"
        assert pool.extract(locked, password="wrong").slug == "encrypted-document"
        assert pool.extract(locked, password="open-sesame").slug == "not-an-assessment-form"


@pytest.mark.slow
@pytest.mark.corpus
def test_pool_results_equal_single_file_workers() -> None:
    corpus = SHARED_DIR / "corpus"
    names = ["realworld/pypdf__r2-user-password.pdf", "realworld/qpdf__bad1.pdf",
             "realworld/docling__docx_checkboxes.docx", "dev/dev_001.pdf"]
    paths = [corpus / name for name in names]
    if not all(path.is_file() for path in paths):
        pytest.skip(f"corpus not found under {corpus} (set MAPDOCS_SHARED_DIR)")
    pooled = run_many(paths, workers=2, full=True)
    for path, outcome in zip(paths, pooled, strict=True):
        single = run_worker(path, full=True)
        assert _comparable(outcome.as_line()) == _comparable(single.as_line()), path.name
    assert pooled[-1].as_line()["record"] is not None


def _comparable(line: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in line.items() if key not in {"peak_rss_kb", "seconds"}}
