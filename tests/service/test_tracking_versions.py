"""Stored tracking form versions and action statuses: operations and the CLI.

Each rating, decision (or new decision version) and action status change stores the
family's next version; the stored Word file and CSV show each action's newest status.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor
from service.cli import cli
from service.context import EXTENSION
from service.decisions import operations as decisions
from service.decisions.model import ActionInput, DecisionInput
from service.models import ActionStatusChange, AuditEvent
from service.tracking import versions
from service.tracking.errors import ActionNotFound, NothingToTrack, UnknownActionStatus
from service.tracking.operations import RatingInput, rate_progress, set_action_status
from storage import ObjectStore
from tests.service.decision_seed import seeded, sound_input
from tests.service.meetings_helpers import docx_text

pytestmark = pytest.mark.db

SYSTEM = Actor.system()


@contextmanager
def _session(app: Flask) -> Iterator[tuple[Session, ObjectStore]]:
    svc = app.extensions[EXTENSION]
    with svc.db.session() as session:
        yield session, svc.store


def _decide(app: Flask, case_id: uuid.UUID, data: DecisionInput) -> None:
    with _session(app) as (session, store):
        decisions.record_decision(session, case_id, data, actor=SYSTEM, store=store)


def _stored(app: Flask, case_id: uuid.UUID, version: int | None = None) -> tuple[str, list[list[str]]]:
    """The Word text and CSV rows of a stored version (the newest by default)."""
    with _session(app) as (session, store):
        _row, docx = versions.open_form(session, store, case_id, "docx", actor=SYSTEM, version=version)
        _row, data = versions.open_form(session, store, case_id, "csv", actor=SYSTEM, version=version)
    return docx_text(docx), list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _action_rows(rows: list[list[str]]) -> list[list[str]]:
    return [row for row in rows if row[0] == "action"]


def _triggers(app: Flask, case_id: uuid.UUID) -> list[tuple[int, str]]:
    with _session(app) as (session, _store):
        return [(row.version, row.trigger) for row in versions.versions(session, case_id)]


def _two_actions(day: dt.date) -> tuple[ActionInput, ...]:
    return (ActionInput("Refer to speech and language therapy", "Health visitor",
                        day + dt.timedelta(days=14)),
            ActionInput("Arrange a sleep clinic appointment", "GP", day + dt.timedelta(days=21)))


def test_each_change_stores_a_version_that_shows_the_action_status(app: Flask) -> None:
    meeting = seeded(app)
    case_id = uuid.UUID(meeting.case_id("one"))
    _decide(app, case_id, sound_input(meeting.date, actions=_two_actions(meeting.date)))
    assert _triggers(app, case_id) == [(1, "decision")]
    docx, rows = _stored(app, case_id)
    assert [row[5] for row in _action_rows(rows)] == ["open", "open"]

    with _session(app) as (session, store):
        done = set_action_status(session, store, case_id, 2, "in_progress", actor=SYSTEM,
                                 note="First appointment offered")
    assert done.form_version == 2 and done.change.action_index == 1
    docx, rows = _stored(app, case_id)
    assert "in progress (" in docx and "First appointment offered" in docx
    statuses = [row[5] for row in _action_rows(rows)]
    assert statuses[0] == "open" and statuses[1].startswith("in progress (")
    assert statuses[1].endswith("): First appointment offered")

    with _session(app) as (session, store):
        rate_progress(session, case_id, meeting.date + dt.timedelta(days=28), [RatingInput(0, 7)],
                      actor=SYSTEM, store=store)
    _docx, rows = _stored(app, case_id)
    assert [row[6] for row in rows if row[0] == "progress"] == ["7/10"]
    assert _triggers(app, case_id) == [(1, "decision"), (2, "action_status"), (3, "rating")]
    # the earlier versions are kept as they were
    old_docx, old_rows = _stored(app, case_id, version=1)
    assert "in progress" not in old_docx and [row[5] for row in _action_rows(old_rows)] == ["open", "open"]


def test_a_new_decision_version_keeps_progress_unless_the_chair_says_otherwise(app: Flask) -> None:
    meeting = seeded(app)
    case_id = uuid.UUID(meeting.case_id("one"))
    actions = _two_actions(meeting.date)
    _decide(app, case_id, sound_input(meeting.date, actions=actions))
    with _session(app) as (session, store):
        set_action_status(session, store, case_id, 1, "done", actor=SYSTEM)
        set_action_status(session, store, case_id, 2, "in_progress", actor=SYSTEM)
    # the chair changes the decision: the same first action (status "open" by default), the
    # second dropped explicitly, and a third new one
    third = ActionInput("Offer a parenting course", "Family support worker",
                        meeting.date + dt.timedelta(days=20))
    changed = (actions[0], ActionInput(actions[1].what, actions[1].who, actions[1].by, "dropped"), third)
    _decide(app, case_id, sound_input(meeting.date, actions=changed, dissent="Health asked for more."))
    assert [trigger for _n, trigger in _triggers(app, case_id)] == [
        "decision", "action_status", "action_status", "decision"]
    _docx, rows = _stored(app, case_id)
    statuses = [row[5] for row in _action_rows(rows)]
    assert statuses[0].startswith("done (") and statuses[1:] == ["dropped", "open"]
    # a status set on the new version for the reordered list is not inherited by another action
    replaced = (third, actions[0])
    _decide(app, case_id, sound_input(meeting.date, actions=replaced))
    _docx, rows = _stored(app, case_id)
    assert [row[5] for row in _action_rows(rows)] == ["open", "open"]


def test_refusals_name_the_problem(app: Flask) -> None:
    meeting = seeded(app, "one", "two")
    case_id = uuid.UUID(meeting.case_id("one"))
    with _session(app) as (session, store):
        with pytest.raises(NothingToTrack):
            set_action_status(session, store, case_id, 1, "done", actor=SYSTEM)
        # ratings may come before the decision: they are kept, with no form to store yet
        assert len(rate_progress(session, case_id, meeting.date, [RatingInput(0, 2)], actor=SYSTEM,
                                 store=store)) == 1
    assert _triggers(app, case_id) == []
    _decide(app, case_id, sound_input(meeting.date))
    with _session(app) as (session, store):
        with pytest.raises(UnknownActionStatus, match="in_progress"):
            set_action_status(session, store, case_id, 1, "finished", actor=SYSTEM)
        with pytest.raises(ActionNotFound, match="has 1 actions"):
            set_action_status(session, store, case_id, 2, "done", actor=SYSTEM)
        assert session.scalars(select(ActionStatusChange)).all() == []
        with pytest.raises(NothingToTrack):
            versions.open_form(session, store, uuid.UUID(meeting.case_id("two")), "docx", actor=SYSTEM)


def test_a_form_not_stored_is_caught_up_at_the_next_download(app: Flask, tmp_path: Path) -> None:
    meeting = seeded(app)
    case_id = uuid.UUID(meeting.case_id("one"))
    _decide(app, case_id, sound_input(meeting.date))
    root = tmp_path / "objects"
    aside = tmp_path / "objects-aside"
    root.rename(aside)
    root.write_bytes(b"")  # the store's root is now a file: every write fails
    try:
        with _session(app) as (session, store):
            done = set_action_status(session, store, case_id, 1, "done", actor=SYSTEM)
    finally:
        root.unlink()
        aside.rename(root)
    assert done.form_version is None  # the status is recorded; its form is not stored
    assert _triggers(app, case_id) == [(1, "decision")]
    _docx, rows = _stored(app, case_id)
    assert _triggers(app, case_id) == [(1, "decision"), (2, "catch_up")]
    assert _action_rows(rows)[0][5].startswith("done (")
    _stored(app, case_id)
    assert len(_triggers(app, case_id)) == 2  # nothing changed: no further version


def test_downloads_are_audited_with_their_format(app: Flask) -> None:
    meeting = seeded(app)
    case_id = uuid.UUID(meeting.case_id("one"))
    _decide(app, case_id, sound_input(meeting.date))
    _stored(app, case_id)
    with _session(app) as (session, _store):
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "tracking.form_download")
                                 .order_by(AuditEvent.at)).all()
        stored = session.scalars(select(AuditEvent).where(AuditEvent.action == "tracking.form_stored")).all()
    assert [(e.object_id, e.detail["format"], e.detail["version"]) for e in events] == [
        (str(case_id), "docx", 1), (str(case_id), "csv", 1)]
    assert [e.detail["trigger"] for e in stored] == ["decision"]


def test_cli_sets_an_action_status(app: Flask, runner: CliRunner) -> None:
    meeting = seeded(app, "one", "two")
    case_id = meeting.case_id("one")
    _decide(app, uuid.UUID(case_id), sound_input(meeting.date))
    done = runner.invoke(cli, ["tracking", "action", case_id, "1", "--status", "done",
                               "--note", "Therapy started"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"case_id": case_id, "action": 1, "status": "done", "form_version": 2}
    docx, _rows = _stored(app, uuid.UUID(case_id))
    assert "Therapy started" in docx
    rated = runner.invoke(cli, ["tracking", "rate", case_id, "--review-date",
                                (meeting.date + dt.timedelta(days=28)).isoformat(), "--rating", "1=5"])
    assert rated.exit_code == 0, rated.output
    assert _triggers(app, uuid.UUID(case_id))[-1] == (3, "rating")
    bad = runner.invoke(cli, ["tracking", "action", case_id, "1", "--status", "finished"])
    assert bad.exit_code == 2 and "in_progress" in bad.output
    missing = runner.invoke(cli, ["tracking", "action", case_id, "4", "--status", "done"])
    assert missing.exit_code == 1 and "action 4 does not exist" in missing.output
    assert "Traceback" not in missing.output
    undecided = runner.invoke(cli, ["tracking", "action", meeting.case_id("two"), "1", "--status", "done"])
    assert undecided.exit_code == 1 and "record the panel's decision first" in undecided.output
    zero = runner.invoke(cli, ["tracking", "action", case_id, "0", "--status", "done"])
    assert zero.exit_code == 2
