"""``mapdocs letters build``: the documents a meeting's decisions produce, and the exact manifest."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from flask import Flask

from service.cli import cli
from service.context import EXTENSION
from service.letters.operations import build_meeting_letters
from service.letters.wording import TRIAGE_ROUTES
from tests.service.decision_seed import record, seeded, sound_input
from tests.service.pack_seed import PANEL, SeededMeeting, withdraw_consent
from tests.service.referral_helpers import record_for, seed

pytestmark = pytest.mark.db

ENTRY_KEYS = {"case_id", "recipient", "kind", "variant", "file"}


def _decided(app: Flask, *labels: str) -> SeededMeeting:
    meeting = seeded(app, *labels)
    for label in labels:
        record(app, meeting.case_id(label), sound_input(meeting.date))
    return meeting


def test_withdrawn_consent_means_no_family_letter(app: Flask) -> None:
    meeting = seeded(app, "clean", "withdrawn")
    for label in ("clean", "withdrawn"):
        record(app, meeting.case_id(label), sound_input(meeting.date))
    withdraw_consent(app, meeting.cases["withdrawn"][1], dt.date.today())
    seen: list[tuple[int, int]] = []
    with app.extensions[EXTENSION].db.session() as session:
        report = build_meeting_letters(session, app.extensions[EXTENSION].store, meeting.meeting_id,
                                       converter=None, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]
    by_case: dict[str, set[tuple[str, str, str]]] = {}
    for doc in report.documents:
        by_case.setdefault(doc.case_id, set()).add((doc.recipient, doc.kind, doc.variant))
        assert app.extensions[EXTENSION].store.get_bytes(doc.object_key) == doc.pdf
    clean, withdrawn = meeting.case_id("clean"), meeting.case_id("withdrawn")
    assert {("family", "letter", "standard"), ("family", "letter", "large_print"),
            ("referrer", "notice", "standard"), ("professional", "summary", "standard")} <= by_case[clean]
    assert by_case[withdrawn] == {("referrer", "notice", "standard")}
    assert set(report.skipped) == {withdrawn}


def test_family_letter_names_the_outcome_in_plain_words(app: Flask) -> None:
    meeting = _decided(app, "one")
    with app.extensions[EXTENSION].db.session() as session:
        report = build_meeting_letters(session, app.extensions[EXTENSION].store,
                                       meeting.meeting_id, converter=None)
    letter = next(d for d in report.documents if d.recipient == "family" and d.variant == "standard")
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.pdf)).paragraphs)
    assert "Common Assessment Framework (CAF)" in text
    assert "You can change your mind" in text and "If you are not happy" in text


@pytest.mark.slow
def test_cli_writes_documents_and_the_exact_manifest(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    meeting = _decided(app, "one")
    out = tmp_path / "letters"
    result = runner.invoke(cli, ["letters", "build", str(meeting.meeting_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) == {"meeting_id", "documents"}
    assert manifest["meeting_id"] == str(meeting.meeting_id)
    assert manifest["documents"]
    for entry in manifest["documents"]:
        assert set(entry) == ENTRY_KEYS
        assert entry["recipient"] in {"family", "referrer", "professional"}
        assert entry["kind"] in {"letter", "notice", "summary", "tracking_form"}
        assert entry["variant"] in {"standard", "large_print"}
        assert (out / entry["file"]).read_bytes().startswith(b"%PDF")
    assert {p.name for p in out.iterdir()} == {e["file"] for e in manifest["documents"]} | {"manifest.json"}


def test_referrals_ended_before_panel_get_a_referrer_notice(app: Flask) -> None:
    meeting = _decided(app, "one")
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        ended = {}
        for route in (*TRIAGE_ROUTES, "needs_information"):
            referral = seed(session, record_for(PANEL), panel=PANEL)
            referral.route = route
            ended[route] = str(referral.id)
        session.commit()
        report = build_meeting_letters(session, services.store, meeting.meeting_id, converter=None)
    notices = {d.case_id: d for d in report.documents if d.decision_id is None}
    assert set(notices) == {ended[r] for r in TRIAGE_ROUTES}
    for doc in notices.values():
        assert (doc.recipient, doc.kind, doc.variant) == ("referrer", "notice", "standard")
        text = "\n".join(p.text for p in Document(io.BytesIO(doc.pdf)).paragraphs)
        assert "closed before it reached the panel" in text
