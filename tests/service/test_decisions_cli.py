"""``mapdocs decisions record`` and ``show``: the exact arguments and shapes scripts rely on."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from click.testing import CliRunner
from flask import Flask

from service.cli import cli
from tests.service.decision_seed import seeded

pytestmark = pytest.mark.db


def _args(case_id: str, day: dt.date, *extra: str, review_days: int = 28) -> list[str]:
    return ["decisions", "record", case_id, "--outcome", "initiate_caf",
            "--reason", "The family asked for help with speech.", "--lead-professional", "Test Lead Epsilon",
            "--lead-agency", "Barnet Early Help Hub", "--lead-contact", "020 7946 0000",
            "--review-date", (day + dt.timedelta(days=review_days)).isoformat(),
            "--taf-date", (day + dt.timedelta(days=7)).isoformat(),
            "--action", f"Refer to speech therapy|Health visitor|{(day + dt.timedelta(days=14)).isoformat()}",
            *extra]


def test_record_prints_the_id_and_show_returns_the_decision(app: Flask, runner: CliRunner) -> None:
    meeting = seeded(app)
    case_id = meeting.case_id("one")
    result = runner.invoke(cli, _args(case_id, meeting.date, "--dissent", "Police asked for a later review."))
    assert result.exit_code == 0, result.output
    decision_id = uuid.UUID(result.stdout.strip())
    shown = runner.invoke(cli, ["decisions", "show", case_id])
    assert shown.exit_code == 0, shown.output
    decision = json.loads(shown.stdout)
    assert decision["decision_id"] == str(decision_id) and decision["version"] == 1
    assert decision["actions"] == [{"what": "Refer to speech therapy", "who": "Health visitor",
                                    "by": (meeting.date + dt.timedelta(days=14)).isoformat(),
                                    "status": "open"}]
    assert decision["lead_professional"]["agency"] == "Barnet Early Help Hub"
    assert decision["state"] == "recorded" and decision["dissent"]


def test_review_beyond_the_interval_exits_non_zero_and_says_why(app: Flask, runner: CliRunner) -> None:
    meeting = seeded(app)
    result = runner.invoke(cli, _args(meeting.case_id("one"), meeting.date, review_days=60))
    assert result.exit_code == 1
    assert "maximum review interval of 42 days" in result.output and "Traceback" not in result.output
    assert runner.invoke(cli, ["decisions", "show", meeting.case_id("one")]).exit_code == 1


def test_a_malformed_action_is_a_usage_error(app: Flask, runner: CliRunner) -> None:
    meeting = seeded(app)
    result = runner.invoke(cli, _args(meeting.case_id("one"), meeting.date, "--action", "just words"))
    assert result.exit_code == 2 and "what|who|YYYY-MM-DD" in result.output


def test_a_decision_recorded_by_the_cli_stores_a_tracking_form_version(app: Flask, runner: CliRunner) -> None:
    from sqlalchemy import func, select

    from service.context import EXTENSION
    from service.models import TrackingFormVersion

    meeting = seeded(app)
    result = runner.invoke(cli, _args(meeting.case_id("one"), meeting.date))
    assert result.exit_code == 0, result.output
    with app.extensions[EXTENSION].db.session() as session:
        versions = session.scalar(select(func.count()).select_from(TrackingFormVersion))
    assert versions == 1
