"""A completed copy of our own CAF / CSF must read back exactly, by field names and by labels.

Reading our own field names proves little, so the same filled forms are also printed
(a flattened PDF with no fields left, and LibreOffice's PDF of the Word file) and read
through the label-driven path, which knows nothing about our names.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from extractors.base import ExtractionContext
from extractors.pipeline import extract
from extractors.record import empty_record
from extractors.template_fields import read_template_fields
from form_templates.build import TEMPLATE_DIR, template_path
from form_templates.fill import fill_docx, fill_pdf, record_to_values
from tests.form_templates.template_record import record_diff, sample_record

FORMS = ("CAF", "CSF")
Filled = dict[tuple[str, str], Path]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    out = tmp_path_factory.mktemp("filled")
    paths: Filled = {}
    for form in FORMS:
        values = record_to_values(sample_record(form), form)
        for suffix, fill in (("pdf", fill_pdf), ("docx", fill_docx)):
            path = out / f"filled-{form.lower()}.{suffix}"
            path.write_bytes(fill(template_path(form, suffix, TEMPLATE_DIR).read_bytes(), values))
            paths[form, suffix] = path
    return paths


@pytest.fixture(scope="module")
def flattened(filled: Filled, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 'print to PDF' of each filled form: poppler bakes the widget appearances into the page."""
    if shutil.which("pdftocairo") is None:
        pytest.skip("pdftocairo (poppler-utils) is not installed")
    out = tmp_path_factory.mktemp("flat")
    paths = {}
    for form in FORMS:
        target = out / f"flat-{form.lower()}.pdf"
        subprocess.run(["pdftocairo", "-pdf", str(filled[form, "pdf"]), str(target)],
                       check=True, timeout=60, capture_output=True)
        paths[form] = target
    return paths


@pytest.fixture(scope="module")
def word_pdfs(filled: Filled, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """LibreOffice's PDF of each filled Word form, converted in one soffice run."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("word-pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out),
                    *(str(filled[form, "docx"]) for form in FORMS)],
                   check=True, timeout=180, capture_output=True)
    return {form: out / f"filled-{form.lower()}.pdf" for form in FORMS}


def acroform_values(data: bytes) -> dict[str, str | bool | None]:
    """What an AcroForm reader hands over: text values, and tick boxes as on/off."""
    fields = pypdf.PdfReader(io.BytesIO(data)).get_fields() or {}
    named: dict[str, str | bool | None] = {}
    for name, field in fields.items():
        value = field.get("/V")
        named[name] = (value not in (None, "/Off")) if field.get("/FT") == "/Btn" else value
    return named


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"


def content_control_values(data: bytes) -> dict[str, str | bool | None]:
    """What a Word reader hands over: each tagged control's text (lines kept) or tick state."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    named: dict[str, str | bool | None] = {}
    for sdt in root.iter(f"{W}sdt"):
        tag = sdt.find(f"{W}sdtPr/{W}tag")
        checked = sdt.find(f"{W}sdtPr/{W14}checkbox/{W14}checked")
        if checked is not None:
            named[tag.get(f"{W}val")] = checked.get(f"{W14}val") == "1"
            continue
        parts = [node.text or "" if node.tag == f"{W}t" else "\n"
                 for node in sdt.iter(f"{W}t", f"{W}br")]
        named[tag.get(f"{W}val")] = "".join(parts) or None
    return named


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_blank_forms_read_as_records_of_nulls(form: str, suffix: str) -> None:
    result = extract(template_path(form, suffix, TEMPLATE_DIR).read_bytes())
    assert result.record is not None
    assert record_diff(empty_record(form), result.record) == []
    assert any(i.code == "empty-form" for i in result.issues)


@pytest.mark.parametrize("form", FORMS)
def test_values_map_back_exactly(form: str) -> None:
    result = read_template_fields(record_to_values(sample_record(form), form))
    assert result is not None
    assert record_diff(sample_record(form), result.record) == []


@pytest.mark.parametrize("form", FORMS)
def test_fillable_pdf_field_names_map_completely(filled: Filled, form: str) -> None:
    result = read_template_fields(acroform_values(filled[form, "pdf"].read_bytes()))
    assert result is not None
    assert record_diff(sample_record(form), result.record) == []
    assert not [i for i in result.issues if i.severity != "info"]


@pytest.mark.parametrize("form", FORMS)
def test_word_content_control_names_map_completely(filled: Filled, form: str) -> None:
    result = read_template_fields(content_control_values(filled[form, "docx"].read_bytes()))
    assert result is not None
    assert result.record["form_type"] == form
    assert record_diff(sample_record(form), result.record) == []


@pytest.mark.parametrize("form", FORMS)
def test_fillable_pdf_reads_back_through_the_pipeline(filled: Filled, form: str) -> None:
    result = extract(filled[form, "pdf"].read_bytes())
    assert record_diff(sample_record(form), result.record) == []


@pytest.mark.parametrize("form", FORMS)
def test_flattened_print_reads_back_by_labels(flattened: dict[str, Path], form: str) -> None:
    data = flattened[form].read_bytes()
    assert not pypdf.PdfReader(io.BytesIO(data)).get_fields()
    result = extract(data)
    assert record_diff(sample_record(form), result.record) == []


@pytest.mark.parametrize("form", FORMS)
def test_word_form_reads_back(filled: Filled, form: str) -> None:
    result = extract(filled[form, "docx"].read_bytes())
    assert record_diff(sample_record(form), result.record) == []


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_filled_forms_read_back_by_labels_alone(filled: Filled, form: str, suffix: str) -> None:
    """With the field names withheld, the printed labels beside the boxes must be enough."""
    from extractors.acroform import acroform_layout
    from extractors.reader import read_layout
    from extractors.word import docx_layout

    data = filled[form, suffix].read_bytes()
    layout = (acroform_layout if suffix == "pdf" else docx_layout)(data, ExtractionContext())
    layout.named_fields, layout.named_locations = {}, {}
    for row in layout.rows:
        for cell in row.cells:
            cell.field_name = None
    result = read_layout(layout, extractor="labels-only", version="test")
    assert record_diff(sample_record(form), result.record) == []


@pytest.mark.slow
@pytest.mark.parametrize("form", FORMS)
def test_libreoffice_pdf_of_the_word_form_reads_back_by_labels(word_pdfs: dict[str, Path],
                                                                form: str) -> None:
    data = word_pdfs[form].read_bytes()
    assert not pypdf.PdfReader(io.BytesIO(data)).get_fields()
    result = extract(data)
    assert record_diff(sample_record(form), result.record) == []
