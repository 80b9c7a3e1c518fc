"""Tracking forms: ratings at each review, the form's content across reviews, the CLI's files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from service.audit.operations import Actor
from service.cli import cli
from service.context import EXTENSION
from service.models import Referral
from service.tracking.errors import NothingToTrack, TrackingError
from service.tracking.operations import RatingInput, build_tracking_form, rate_progress, tracking_context
from tests.service.decision_seed import record, seeded, sound_input
from tests.service.meetings_helpers import NAME_WORDS, docx_text
from tests.service.pack_seed import CHILD

pytestmark = pytest.mark.db


def test_form_gathers_decisions_actions_and_ratings(app: Flask) -> None:
    meeting = seeded(app)
    case_id = uuid.UUID(meeting.case_id("one"))
    with app.extensions[EXTENSION].db.session() as session, pytest.raises(NothingToTrack):
        tracking_context(session, case_id)
    record(app, str(case_id), sound_input(meeting.date))
    review = meeting.date + dt.timedelta(days=28)
    with app.extensions[EXTENSION].db.session() as session:
        referral = session.get(Referral, meeting.cases["one"][1])
        assert referral is not None and referral.record is not None
        wanted = len(referral.record["desired_outcomes"])
        assert wanted >= 1
        rate_progress(session, case_id, review, [RatingInput(0, 6, "Sleeping through most nights")],
                      actor=Actor.system())
        with pytest.raises(TrackingError, match="does not exist"):
            rate_progress(session, case_id, review, [RatingInput(wanted, 5)], actor=Actor.system())
        with pytest.raises(TrackingError, match="0 .not yet. to 10"):
            rate_progress(session, case_id, review, [RatingInput(0, 11)], actor=Actor.system())
        ctx = tracking_context(session, case_id)
        assert len(ctx.reviews) == 1 and ctx.actions[0].status == "open"
        assert [(r.rating, r.note) for r in ctx.ratings] == [("6/10", "Sleeping through most nights")]
        assert ctx.lead_agency == "Barnet Early Help Hub" and len(ctx.desired_outcomes) == wanted
        files = build_tracking_form(session, case_id)
    text = docx_text(files.docx)
    assert "Support plan tracking form" in text and "6/10" in text and "Test Lead Epsilon" in text
    assert CHILD not in text and not any(word in text for word in NAME_WORDS if word != "Khan")
    rows = list(csv.reader(io.StringIO(files.csv.decode("utf-8-sig"))))
    assert rows[0] == ["section", "date", "item", "who", "by_when", "status", "rating", "note"]
    assert [row[0] for row in rows[1:]] == ["review", "action", "progress"]
    assert files.pdf is None


def test_cli_rates_and_builds(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    meeting = seeded(app, "one", "two")
    case_id = meeting.case_id("one")
    record(app, case_id, sound_input(meeting.date))
    rated = runner.invoke(cli, ["tracking", "rate", case_id, "--review-date",
                                (meeting.date + dt.timedelta(days=28)).isoformat(),
                                "--rating", "1=4|Some progress"])
    assert rated.exit_code == 0, rated.output
    assert json.loads(rated.stdout) == {"case_id": case_id, "ratings": 1}
    bad = runner.invoke(cli, ["tracking", "rate", case_id, "--review-date", "2026-01-01", "--rating", "x"])
    assert bad.exit_code == 2 and "N=R" in bad.output
    built = runner.invoke(cli, ["tracking", "build", case_id, "--out", str(tmp_path), "--no-pdf"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["files"] == ["tracking_form.docx", "tracking_form.csv"]
    assert "4/10" in docx_text((tmp_path / "tracking_form.docx").read_bytes())
    refused = runner.invoke(cli, ["tracking", "build", meeting.case_id("two"), "--out", str(tmp_path),
                                  "--no-pdf"])
    assert refused.exit_code == 1 and "record the panel's decision first" in refused.output


def test_api_serves_the_form_to_chairs_not_triage(app: Flask, client: FlaskClient,
                                                   auth: Callable[..., dict[str, str]]) -> None:
    meeting = seeded(app)
    url = f"/api/v1/cases/{meeting.case_id('one')}/tracking-form"
    assert client.get(url, headers=auth("chair")).status_code == 409
    record(app, meeting.case_id("one"), sound_input(meeting.date))
    assert client.get(url, headers=auth("triage")).status_code == 403
    response = client.get(f"{url}?format=csv", headers=auth("administrator"))
    assert response.status_code == 200 and response.data.decode("utf-8-sig").startswith("section,date,item")
    word = client.get(url, headers=auth("chair"))
    assert word.status_code == 200 and "BAR-" in docx_text(word.data)
