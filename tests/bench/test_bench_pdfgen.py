"""The benchmark's own parts that could silently measure the wrong thing.

Identical upload bytes would send every request down the service's dedupe path, and an
invalid PDF down its refusal path; a wrong percentile would misreport the goal. The
benchmarks themselves stay out of CI.
"""

from __future__ import annotations

import io

import pypdf
import pytest

from bench.pdfgen import make_pdf
from bench.stats import percentile, table


def test_generated_pdfs_are_valid_about_one_mib_and_all_different() -> None:
    first, second = make_pdf(1), make_pdf(1)
    assert first != second
    assert 1_000_000 <= len(first) <= 1_100_000
    reader = pypdf.PdfReader(io.BytesIO(first), strict=True)
    assert len(reader.pages) == 1
    assert "mapdocs upload benchmark 00000001" in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 1


def test_size_follows_the_request() -> None:
    assert 200_000 <= len(make_pdf(2, size=256 * 1024)) <= 270_000


@pytest.mark.parametrize(("pct", "expected"), [(0, 1.0), (50, 2.5), (95, 3.85), (100, 4.0)])
def test_percentile_interpolates_like_numpy(pct: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], pct) == pytest.approx(expected)


def test_table_aligns_figures_right() -> None:
    text = table(["name", "ms"], [["a", "1.0"], ["long name", "12.5"]])
    lines = text.splitlines()
    assert lines[2].endswith(" 1.0") and lines[3].endswith("12.5")
    assert len({len(line) for line in lines}) == 1
