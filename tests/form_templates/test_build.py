from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from form_templates.build import TEMPLATE_DIR, build_all, template_path
from form_templates.definition import load_definition

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FORMS = ("CAF", "CSF")


def pdf_field_names(data: bytes) -> set[str]:
    return set(pypdf.PdfReader(io.BytesIO(data)).get_fields() or {})


def docx_tags(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return [tag.get(f"{W}val") for tag in root.iter(f"{W}tag")]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    build_all(out)
    return out


@pytest.mark.parametrize("form", FORMS)
def test_pdf_fields_are_exactly_the_definition(fresh: Path, form: str) -> None:
    names = pdf_field_names(template_path(form, "pdf", fresh).read_bytes())
    assert names == load_definition().field_names(form)


@pytest.mark.parametrize("form", FORMS)
def test_word_controls_are_exactly_the_definition(fresh: Path, form: str) -> None:
    tags = docx_tags(template_path(form, "docx", fresh).read_bytes())
    assert len(tags) == len(set(tags))
    assert set(tags) == load_definition().field_names(form)


def pdf_fingerprint(data: bytes) -> list[object]:
    """What a reader of the form sees: each page's text and each widget's name, kind and box."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    out: list[object] = []
    for page in reader.pages:
        out.append(page.extract_text())
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            out.append((widget.get("/T"), widget.get("/FT"), [round(float(v), 1) for v in widget["/Rect"]]))
    return out


def docx_fingerprint(data: bytes) -> list[object]:
    """The Word form's text, in order, and its content-control tags."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return [(node.tag.rsplit("}", 1)[1], node.text or node.get(f"{W}val"))
            for node in root.iter(f"{W}t", f"{W}tag", f"{W}gridCol")]


@pytest.mark.parametrize("form", FORMS)
def test_shipped_forms_are_what_the_definition_builds(fresh: Path, form: str) -> None:
    """Run ``python -m form_templates.build`` after editing fields.json if this fails.

    Compared by content, not bytes, so another ReportLab or python-docx release that
    writes the same form differently does not fail it.
    """
    for suffix, fingerprint in (("pdf", pdf_fingerprint), ("docx", docx_fingerprint)):
        shipped = template_path(form, suffix, TEMPLATE_DIR).read_bytes()
        assert fingerprint(shipped) == fingerprint(template_path(form, suffix, fresh).read_bytes())


def test_builds_are_deterministic(fresh: Path, tmp_path: Path) -> None:
    written = build_all(tmp_path)
    assert len(written) == 4
    for path in written:
        assert path.read_bytes() == (fresh / path.name).read_bytes(), path.name


@pytest.mark.parametrize("form", FORMS)
def test_pdf_is_a_multipage_a4_form_marked_on_every_page(fresh: Path, form: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(template_path(form, "pdf", fresh).read_bytes()))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]
        assert "OFFICIAL-SENSITIVE (when complete)" in page.extract_text()
    fields = reader.get_fields() or {}
    marker = fields[load_definition().marker_field]
    assert marker.get("/V") == form
    tick = fields["consent_information_sharing_yes"]
    assert tick.get("/FT") == "/Btn"


@pytest.mark.parametrize("form", FORMS)
def test_word_checkboxes_are_w14_controls_showing_empty_boxes(fresh: Path, form: str) -> None:
    with zipfile.ZipFile(template_path(form, "docx", fresh)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
        header = "".join(package.read(n).decode("utf-8") for n in package.namelist()
                         if n.startswith("word/header"))
    assert xml.count("<w14:checkbox>") == sum(
        1 for f in load_definition().fields(form) if f.type == "checkbox")
    assert "\u2612" not in xml and "\u2610" in xml
    assert "OFFICIAL-SENSITIVE (when complete)" in header
