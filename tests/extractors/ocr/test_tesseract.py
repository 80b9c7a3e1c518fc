"""The Tesseract wrapper: argv, environment, TSV parsing, errors, and one real run."""

from __future__ import annotations

import pytest
from PIL import Image

from extractors.errors import ExtractionError
from extractors.ocr import tesseract
from tests.extractors.ocr.scan_builders import Page

TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t100\t200\t80\t20\t96.5\tName\n"
    "5\t1\t1\t1\t1\t2\t190\t200\t10\t20\t-1\t \n"
    "5\t1\t1\t1\t1\t3\t200\t200\t90\t20\t41\tSam\n"
)


def test_argv_reads_stdin_writes_tsv_with_one_page_mode() -> None:
    argv = tesseract.argv(psm=11, dpi=200, languages="eng")
    assert argv[1:3] == ["stdin", "stdout"]
    assert argv[argv.index("--psm") + 1] == "11" and argv[argv.index("--dpi") + 1] == "200"
    assert argv[-1] == "tsv"


def test_language_setting_cannot_inject_arguments() -> None:
    with pytest.raises(tesseract.OcrError):
        tesseract.argv(psm=6, dpi=300, languages="eng --tessdata-dir /tmp")


def test_environment_limits_openmp_to_one_thread() -> None:
    assert tesseract._environment()["OMP_THREAD_LIMIT"] == "1"


def test_tsv_words_with_confidence_as_fraction() -> None:
    words = tesseract.parse_tsv(TSV)
    assert [(w.text, w.left, w.top, w.confidence) for w in words] == [("Name", 100, 200, 0.965),
                                                                        ("Sam", 200, 200, 0.41)]


def test_errors_are_extraction_errors_with_exit_code() -> None:
    error = tesseract.OcrError(returncode=3)
    assert isinstance(error, ExtractionError) and error.returncode == 3
    assert issubclass(tesseract.OcrTimeout, ExtractionError)


@pytest.mark.ocr
def test_version_is_recent_enough() -> None:
    assert tesseract.version() >= tesseract.MIN_VERSION


@pytest.mark.ocr
def test_reads_printed_words_with_boxes() -> None:
    page = Page(200)
    page.text(50, 50, "Family address", 12)
    words = tesseract.words(page.image, psm=11, dpi=200)
    assert [w.text for w in words] == ["Family", "address"]
    assert all(w.confidence > 0.8 for w in words)
    assert abs(words[0].left - page.px(50)) < 6


@pytest.mark.ocr
def test_timeout_is_a_specific_error() -> None:
    big = Image.new("L", (3000, 3000), 255)
    with pytest.raises(tesseract.OcrTimeout):
        tesseract.run(big, psm=11, dpi=300, timeout=0.001)
