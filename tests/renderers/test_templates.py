from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from renderers.agenda import AgendaCase, AgendaContext
from renderers.context import document_context
from renderers.errors import TemplateError, TemplateNotFound, TemplateVariableError
from renderers.kinds import CONTEXTS, validate_upload
from renderers.templates import find_template, iter_shipped_templates, render_docx, validate_template


@document_context
class Child:
    initials: str
    age: str


@document_context
class Case:
    case_ref: str
    children: tuple[Child, ...] = ()
    lead: str | None = None


@document_context
class LetterContext:
    panel_name: str
    case: Case
    cases: tuple[Case, ...] = ()
    meeting: date = date(2026, 3, 3)


def _text(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _ctx() -> LetterContext:
    case = Case(case_ref="BAR-2026-0042", children=(Child(initials="A.K.", age="7"),), lead="Jo")
    return LetterContext(panel_name="Barnet & District <Panel>", case=case, cases=(case,))


def test_known_variables_nested_attributes_and_loops_pass(make_docx: Callable[..., bytes]) -> None:
    docx = make_docx(["{{ panel_name }} {{ case.case_ref }} {{ meeting.strftime('%d/%m/%Y') }}",
                      "{% for c in cases %}{% for child in c.children %}{{ child.initials }}"
                      "{% endfor %}{% endfor %}",
                      "{% for c in cases|sort(attribute='case_ref') %}{{ c.lead|default('') }}{% endfor %}",
                      "{% set first = cases|first %}{{ first.case_ref }} {{ panel_name|upper }}"])
    validate_template(docx, LetterContext)


@pytest.mark.parametrize(("source", "unknown"), [
    ("{{ panel_nmae }}", "panel_nmae"),
    ("{{ case.case_rfe }}", "case.case_rfe"),
    ("{% for c in cases %}{{ c.childern }}{% endfor %}", "c.childern"),
    ("{% for c in cases %}{% for ch in c.children %}{{ ch.name }}{% endfor %}{% endfor %}", "ch.name"),
    ("{{ (cases|first).lead_name }}", "….lead_name"),
    ("{{ meeting.strftme('%d') }}", "meeting.strftme"),
    ("{{ panel_name|shout }}", "filter shout"),
])
def test_unknown_variable_is_refused_by_name(make_docx: Callable[..., bytes], source: str,
                                             unknown: str) -> None:
    with pytest.raises(TemplateVariableError) as caught:
        validate_template(make_docx([source]), LetterContext, "letter")
    assert unknown in caught.value.names
    assert repr(unknown) in str(caught.value)


def test_unknown_variable_in_title_property_is_refused(make_docx: Callable[..., bytes]) -> None:
    with pytest.raises(TemplateVariableError) as caught:
        validate_template(make_docx(["fine"], title="Letter {{ panel }}"), LetterContext)
    assert caught.value.names == ["panel"]


def test_macros_with_and_loop_helpers_pass(make_docx: Callable[..., bytes]) -> None:
    docx = make_docx([
        "{% macro row(c, label) %}{{ label }} {{ c.case_ref }}{% endmacro %}",
        "{% for c in cases %}{{ row(c, 'Case') }} {{ loop.index }}/{{ loop.length }}{% endfor %}",
        "{% with first = cases|first %}{{ first.lead }}{% endwith %}",
        "{% for c in cases if c.lead %}{{ c.case_ref }}{% else %}none{% endfor %}",
        "{{ case.children|map(attribute='initials')|join(', ') }} {{ cases|length }}",
    ])
    validate_template(docx, LetterContext)


def test_plain_set_of_names(make_docx: Callable[..., bytes]) -> None:
    validate_template(make_docx(["{{ a }} {{ b.anything }}"]), {"a", "b"})
    with pytest.raises(TemplateVariableError, match="'c'"):
        validate_template(make_docx(["{{ a }} {{ c }}"]), {"a", "b"})


@pytest.mark.parametrize("source", ["{{ ''.__class__ }}", "{{ case._private }}",
                                    "{{ case['__class__'] }}"])
def test_private_attributes_refused_at_validation(make_docx: Callable[..., bytes], source: str) -> None:
    with pytest.raises(TemplateError, match="private"):
        validate_template(make_docx([source]), LetterContext)


def test_sandbox_refuses_dunder_access_at_render(make_docx: Callable[..., bytes]) -> None:
    docx = make_docx(["{{ ''.__class__.__mro__[1].__subclasses__() }}"])
    with pytest.raises(TemplateError):
        render_docx(docx, _ctx())


def test_render_escapes_values_and_fills_nested(make_docx: Callable[..., bytes]) -> None:
    docx = make_docx(["Panel: {{ panel_name }}",
                      "{% for c in cases %}{{ c.case_ref }}: {% for ch in c.children %}{{ ch.initials }}"
                      "{% endfor %}{% endfor %}"], title="Letter for {{ panel_name }}")
    out = render_docx(docx, _ctx())
    text = _text(out)
    assert "Panel: Barnet & District <Panel>" in text
    assert "BAR-2026-0042: A.K." in text
    doc = Document(io.BytesIO(out))
    assert doc.core_properties.title == "Letter for Barnet & District <Panel>"


def test_render_sets_document_language(make_docx: Callable[..., bytes]) -> None:
    out = render_docx(make_docx(["{{ panel_name }}"]), _ctx())
    styles = Document(io.BytesIO(out)).styles.element.xml
    assert 'w:val="en-GB"' in styles


def test_syntax_error_is_a_template_error(make_docx: Callable[..., bytes]) -> None:
    with pytest.raises(TemplateError, match="placeholder"):
        validate_template(make_docx(["{{ panel_name "]), LetterContext)


def test_not_a_word_file() -> None:
    with pytest.raises(TemplateError, match="not a Word"):
        validate_template(b"%PDF-1.7 nonsense", LetterContext)


def test_find_template_by_kind_and_override(tmp_path: Path, make_docx: Callable[..., bytes]) -> None:
    assert find_template("agenda")[:2] == b"PK"
    upload = tmp_path / "panel-agenda.docx"
    upload.write_bytes(make_docx(["council's own"]))
    assert find_template("agenda", upload) == upload.read_bytes()
    with pytest.raises(TemplateNotFound):
        find_template("agenda", tmp_path / "missing.docx")
    with pytest.raises(TemplateNotFound):
        find_template("../secrets")
    with pytest.raises(TemplateNotFound):
        find_template("no_such_kind")


def test_every_shipped_template_validates_against_its_context() -> None:
    shipped = dict(iter_shipped_templates())
    assert set(shipped) == set(CONTEXTS), "each shipped template needs a context in renderers.kinds"
    for kind, path in shipped.items():
        validate_upload(kind, path.read_bytes())


def test_agenda_template_misspelt_upload_is_refused() -> None:
    doc = Document(io.BytesIO(find_template("agenda")))
    doc.add_paragraph("{% for case in new_referrals %}{{ case.intials }}{% endfor %}")
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(TemplateVariableError, match="case.intials"):
        validate_upload("agenda", out.getvalue())


def test_agenda_case_has_no_name_field() -> None:
    fields = set(AgendaCase.__dataclass_fields__) | set(AgendaContext.__dataclass_fields__)
    assert not {f for f in fields if "name" in f} - {"panel_name", "council_name"}
