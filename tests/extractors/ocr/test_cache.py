"""The run-scoped OCR cache: one Tesseract run per image per test run, across processes."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from PIL import Image

from extractors.isolated import run_worker
from extractors.ocr import cache, tesseract
from tests.extractors.ocr.scan_builders import Page, encode, sample_form

pytestmark = pytest.mark.ocr


def _small_page(text: str = "Family address") -> Image.Image:
    page = Page(150)
    page.text(50, 50, text, 12)
    return page.image


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts real Tesseract recognition runs in this process (a spy: the real program still runs)."""
    calls: list[int] = []
    real = tesseract.run

    def counting(*args: object, **kwargs: object) -> str:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tesseract, "run", counting)
    return calls


def test_the_session_sets_a_fresh_cache_directory(run_scratch_dirs: Path) -> None:
    folder = cache.directory()
    assert folder is not None and folder.is_dir()
    assert folder.is_relative_to(run_scratch_dirs)


def test_nothing_is_written_without_the_variable(monkeypatch: pytest.MonkeyPatch, runs: list[int]) -> None:
    session_folder = cache.directory()
    assert session_folder is not None
    before = sorted(session_folder.iterdir())
    monkeypatch.delenv(cache.ENV)
    image = _small_page("Nothing cached here")
    first = cache.words(image, psm=11, dpi=150, languages="eng")
    second = cache.words(image, psm=11, dpi=150, languages="eng")
    assert first == second and [w.text for w in first] == ["Nothing", "cached", "here"]
    assert len(runs) == 2
    assert sorted(session_folder.iterdir()) == before


def test_the_same_image_is_read_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     runs: list[int]) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    image = _small_page()
    first = cache.words(image, psm=11, dpi=150, languages="eng")
    again = cache.words(image.copy(), psm=11, dpi=150, languages="eng")
    assert len(runs) == 1
    assert again == first and [w.text for w in first] == ["Family", "address"]
    entries = list(tmp_path.iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".json"  # no temporary file left behind
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600  # OCR text is readable by its owner only
    assert json.loads(entries[0].read_text())[0]["text"] == "Family"


def test_other_pixels_or_arguments_are_other_entries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    image = _small_page()
    base = cache.key("words", image, {"psm": 11})
    assert cache.key("words", image.copy(), {"psm": 11}) == base
    assert cache.key("words", image, {"psm": 6}) != base
    assert cache.key("orientation", image, {"psm": 11}) != base
    assert cache.key("words", _small_page("Family addresses"), {"psm": 11}) != base


def test_an_unreadable_entry_is_a_miss(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       runs: list[int]) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    image = _small_page()
    first = cache.words(image, psm=11, dpi=150, languages="eng")
    (entry,) = tmp_path.iterdir()
    entry.write_text('[{"text": "Fam')  # what a reader would see of a half-written file
    assert cache.words(image, psm=11, dpi=150, languages="eng") == first
    assert len(runs) == 2
    assert json.loads(entry.read_text())[0]["text"] == "Family"  # rewritten whole


def _spying_tesseract(folder: Path, log: Path) -> None:
    """A ``tesseract`` earlier on PATH that records each call, then runs the real program."""
    real = shutil.which("tesseract")
    assert real is not None
    spy = folder / "tesseract"
    spy.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    spy.chmod(0o755)


@pytest.mark.slow
def test_a_second_process_reads_the_first_ones_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir, folder = tmp_path / "bin", tmp_path / "cache"
    bin_dir.mkdir()
    calls = tmp_path / "calls.log"
    _spying_tesseract(bin_dir, calls)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(cache.ENV, str(folder))
    scan = tmp_path / "scan.png"
    scan.write_bytes(encode(sample_form(150).scanned(), "PNG", 150))

    def recognitions() -> int:
        lines = calls.read_text().splitlines() if calls.exists() else []
        return sum(1 for line in lines if "--version" not in line)

    first = run_worker(scan, full=True, timeout=120)
    after_first = recognitions()
    second = run_worker(scan, full=True, timeout=120)
    assert first.line is not None and first.line["ok"], first.stderr[-2000:]
    assert after_first >= 1
    assert recognitions() == after_first  # the second process ran no recognition at all
    assert second.line is not None
    for part in ("record", "confidence", "provenance", "issues"):
        assert second.line[part] == first.line[part]
