"""``mapdocs meetings ...`` and ``mapdocs templates upload``: exact output shapes for councils' scripts."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from service.audit.operations import Actor
from service.cli import cli
from service.context import EXTENSION
from service.meetings import listing
from tests.service.meetings_helpers import (
    CASE_KEYS,
    NAME_WORDS,
    UUID_LINE,
    agenda_template,
    at,
    docx_text,
    kids,
    ready_referral,
)


def _create(runner: CliRunner, date: str, panel: str = "barnet-map") -> str:
    result = runner.invoke(cli, ["meetings", "create", "--panel", panel, "--date", date])
    assert result.exit_code == 0, result.output
    assert UUID_LINE.fullmatch(result.stdout), result.stdout  # the id and nothing else
    return result.stdout.strip()


def _list(app: Flask, *starts: str) -> None:
    with app.extensions[EXTENSION].db.session() as session:
        for number, day in enumerate(starts):
            ready_referral(session, "barnet-map", at(day), children=kids(f"Amira Khan{number}", "Bilal Khan"))
        listing.list_ready(session, "barnet-map", actor=Actor.system(), now=at("2026-03-01"))


@pytest.mark.db
def test_create_prints_only_the_meeting_id(runner: CliRunner) -> None:
    meeting_id = _create(runner, "2026-03-17")
    assert uuid.UUID(meeting_id)
    listed = runner.invoke(cli, ["meetings", "list", "--panel", "barnet-map"])
    [line] = [json.loads(x) for x in listed.stdout.splitlines()]
    assert line["id"] == meeting_id and line["papers_deadline"] == "2026-03-10"
    clash = runner.invoke(cli, ["meetings", "create", "--panel", "barnet-map", "--date", "2026-03-17"])
    assert clash.exit_code == 1 and "already has a meeting" in clash.output and clash.stdout == ""
    unknown = runner.invoke(cli, ["meetings", "create", "--panel", "nowhere", "--date", "2026-03-17"])
    assert unknown.exit_code == 1 and unknown.stdout == ""


@pytest.mark.db
def test_cases_prints_exact_json_lines_at_15_minute_slots(app: Flask, runner: CliRunner) -> None:
    meeting_id = _create(runner, "2026-03-17")
    _list(app, "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05")
    result = runner.invoke(cli, ["meetings", "cases", meeting_id])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert all(set(line) == CASE_KEYS for line in lines)
    assert [line["slot"] for line in lines] == ["10:00", "10:15", "10:30", "10:45"]
    assert [line["case_ref"] for line in lines] == [f"BAR-2026-000{n}" for n in range(1, 5)]
    assert {line["section"] for line in lines} == {"new"} and not any(line["late"] for line in lines)
    assert all(line["initials"] == "A.K., B.K." for line in lines)
    missing = runner.invoke(cli, ["meetings", "cases", str(uuid.uuid4())])
    assert missing.exit_code == 1 and missing.stdout == ""


@pytest.mark.db
def test_move_cancel_and_list_ready(app: Flask, runner: CliRunner) -> None:
    first = _create(runner, "2026-03-17")
    second = _create(runner, "2026-03-24")
    _list(app, "2026-03-10")
    moved = runner.invoke(cli, ["meetings", "move", first, "--date", "2026-03-16"])
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["papers_deadline"] == "2026-03-09"
    [case] = [json.loads(x) for x in runner.invoke(cli, ["meetings", "cases", first]).stdout.splitlines()]
    assert case["late"] is True
    assert runner.invoke(cli, ["meetings", "move", first]).exit_code == 2
    cancelled = runner.invoke(cli, ["meetings", "cancel", first])
    assert json.loads(cancelled.stdout) == {"id": first, "status": "cancelled", "moved_to": second}
    after = runner.invoke(cli, ["meetings", "cases", second])
    [moved_case] = [json.loads(x) for x in after.stdout.splitlines()]
    assert moved_case["case_id"] == case["case_id"] and moved_case["late"] is False
    ready = runner.invoke(cli, ["meetings", "list-ready", "--panel", "barnet-map"])
    assert ready.exit_code == 0 and ready.stdout == ""  # nothing new waits


@pytest.mark.db
def test_agenda_writes_the_docx(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    meeting_id = _create(runner, "2026-03-17")
    _list(app, "2026-03-02")
    result = runner.invoke(cli, ["meetings", "agenda", meeting_id, "--out", str(tmp_path / "out"),
                                 "--format", "docx"])
    assert result.exit_code == 0, result.output
    [written] = result.stdout.splitlines()
    assert written.endswith("agenda-barnet-map-2026-03-17.docx")
    text = docx_text(Path(written).read_bytes())
    assert "BAR-2026-0001" in text and "A.K., B.K." in text
    assert not any(word in text for word in NAME_WORDS)


@pytest.mark.db
def test_template_upload_refuses_a_misspelt_variable_by_name(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "agenda.docx"
    bad.write_bytes(agenda_template("{{ venue }}", "{{ venu }}"))
    refused = runner.invoke(cli, ["templates", "upload", "agenda", str(bad), "--panel", "barnet-map"])
    assert refused.exit_code == 1 and "venu" in refused.output and refused.stdout == ""
    good = tmp_path / "good.docx"
    good.write_bytes(agenda_template("Welcome and introductions", "Welcome, introductions and apologies"))
    for version in (1, 2):
        accepted = runner.invoke(cli, ["templates", "upload", "agenda", str(good), "--panel", "barnet-map"])
        assert accepted.exit_code == 0, accepted.output
        assert json.loads(accepted.stdout)["version"] == version
    listed = runner.invoke(cli, ["templates", "list", "agenda", "--panel", "barnet-map"])
    assert [json.loads(x)["version"] for x in listed.stdout.splitlines()] == [2, 1]
    unknown = runner.invoke(cli, ["templates", "upload", "agendum", str(good), "--panel", "barnet-map"])
    assert unknown.exit_code == 1 and "agendum" in unknown.output


@pytest.fixture
def soffice() -> Iterator[None]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from service.templates.converter import close_shared_converter

    yield
    close_shared_converter()


@pytest.mark.db
@pytest.mark.slow
def test_agenda_pdf(app: Flask, runner: CliRunner, tmp_path: Path, soffice: None) -> None:
    from pypdf import PdfReader

    meeting_id = _create(runner, "2026-03-17")
    _list(app, "2026-03-02")
    result = runner.invoke(cli, ["meetings", "agenda", meeting_id, "--out", str(tmp_path), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(result.stdout.strip())
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "BAR-2026-0001" in text and "A.K., B.K." in text and "Khan" not in text
