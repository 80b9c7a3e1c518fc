"""``mapdocs referrals show|correct|confirm-harm-referral`` and ``mapdocs ingest --referral``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from service.cli import cli
from service.context import EXTENSION
from service.models import AuditEvent, Referral, ReferralCorrection
from tests.service.referral_helpers import record_for, seed
from tests.service.svc_helpers import finish_jobs, make_pdf


def _seed(app: Flask, **paths: object) -> str:
    with app.extensions[EXTENSION].db.session() as session:
        return str(seed(session, record_for("generic", **paths)).id)


@pytest.mark.db
def test_correct_parses_json_values_and_versions_each_path(app: Flask, runner: CliRunner) -> None:
    referral_id = _seed(app, consent__information_sharing=None, child_views=None)
    result = runner.invoke(
        cli,
        [
            "referrals",
            "correct",
            referral_id,
            "consent.information_sharing=true",
            "child_views=Says school is fine",
            "level_of_need.tier=2",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out == {"id": referral_id, "route": "ready_for_panel", "versions": [1, 2, 3]}
    with app.extensions[EXTENSION].db.session() as session:
        rows = session.scalars(select(ReferralCorrection).order_by(ReferralCorrection.version)).all()
        assert [(r.path, r.new_value["value"]) for r in rows] == [
            ("consent.information_sharing", True),
            ("child_views", "Says school is fine"),
            ("level_of_need.tier", 2),
        ]
        assert all(r.actor_type == "system" for r in rows)
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.correct")).one()


@pytest.mark.db
def test_correct_refuses_a_bad_path_or_assignment(app: Flask, runner: CliRunner) -> None:
    referral_id = _seed(app)
    bad = runner.invoke(cli, ["referrals", "correct", referral_id, "consent.colour=blue"])
    assert bad.exit_code == 1 and "consent.colour" in bad.output and bad.stdout == ""
    assert runner.invoke(cli, ["referrals", "correct", referral_id, "no-equals-sign"]).exit_code == 2
    missing = runner.invoke(cli, ["referrals", "correct", str(uuid.uuid4()), "child_views=x"])
    assert missing.exit_code == 1


@pytest.mark.db
def test_show_and_confirm_harm_referral(app: Flask, runner: CliRunner) -> None:
    referral_id = _seed(app, safeguarding__significant_harm_concern=True)
    shown = json.loads(runner.invoke(cli, ["referrals", "show", referral_id]).stdout)
    assert shown["route"] == "refer_to_social_care_now" and shown["social_care"]["overdue"] is True
    assert shown["findings"][0]["rule"] == "safeguarding.significant_harm"
    done = runner.invoke(
        cli,
        [
            "referrals",
            "confirm-harm-referral",
            referral_id,
            "--made-at",
            "2026-03-02T15:00",
            "--reference",
            "CSC-9",
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["made_at"].startswith("2026-03-02T15:00")
    after = json.loads(runner.invoke(cli, ["referrals", "show", referral_id]).stdout)
    assert after["social_care"]["overdue"] is False and after["social_care"]["reference"] == "CSC-9"


@pytest.mark.db
def test_ingest_with_referral_attaches_instead_of_creating_one(
    app: Flask, runner: CliRunner, tmp_path: Path
) -> None:
    referral_id = _seed(app)
    later = tmp_path / "signed-consent.pdf"
    later.write_bytes(make_pdf("signed consent page"))
    result = runner.invoke(cli, ["ingest", str(later), "--referral", referral_id])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout)
    assert set(line) == {"id", "sha256", "media_type", "panel", "job"} and line["panel"] == "generic"
    finish_jobs(app)
    shown = json.loads(runner.invoke(cli, ["referrals", "show", referral_id]).stdout)
    assert [d["role"] for d in shown["documents"]] == ["first", "attached"]
    assert shown["route"] == "ready_for_panel"  # a page that is not a form changes nothing
    with app.extensions[EXTENSION].db.session() as session:
        assert len(session.scalars(select(Referral)).all()) == 1
    assert runner.invoke(cli, ["ingest", str(later)]).exit_code == 2  # neither --panel nor --referral
    both = runner.invoke(cli, ["ingest", str(later), "--panel", "generic", "--referral", referral_id])
    assert both.exit_code == 2
