"""``mapdocs packs build`` and ``mapdocs packs send``: the exact files and shapes scripts rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from service.cli import cli
from tests.service.pack_seed import seed_meeting
from tests.service.smtp_server import SmtpServer, smtp_server

__all__ = ["smtp_server"]

pytestmark = pytest.mark.db


def test_build_writes_one_pdf_per_agency_full_and_the_manifest(app: Flask, runner: CliRunner,
                                                               tmp_path: Path) -> None:
    meeting = seed_meeting(app, {"clean": {}, "no_police": {"consent__excluded_agencies": ["Police"]}})
    out = tmp_path / "packs"
    result = runner.invoke(cli, ["packs", "build", str(meeting.meeting_id), "--out", str(out),
                                 "--plain-agenda"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) == {"meeting_id", "packs"} and manifest["meeting_id"] == str(meeting.meeting_id)
    files = {p.name for p in out.iterdir()}
    assert files == {entry["file"] for entry in manifest["packs"]} | {"manifest.json"}
    assert "full.pdf" in files and "police-safer-schools.pdf" in files
    for entry in manifest["packs"]:
        assert set(entry) == {"agency", "file", "cases", "withheld"}
        assert (out / entry["file"]).read_bytes().startswith(b"%PDF")
    police = next(e for e in manifest["packs"] if e["agency"] == "police-safer-schools")
    assert police["cases"] == [meeting.case_id("clean")] and police["withheld"] == 1


def test_build_of_an_unknown_meeting_fails_cleanly(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["packs", "build", "00000000-0000-0000-0000-000000000000", "--out",
                                 str(tmp_path), "--plain-agenda"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_send_waits_for_the_circulation_day_unless_now(app: Flask, runner: CliRunner, tmp_path: Path,
                                                       smtp_server: SmtpServer) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    assert runner.invoke(cli, ["packs", "build", str(meeting.meeting_id), "--out", str(tmp_path),
                               "--plain-agenda"]).exit_code == 0
    env = {"MAPDOCS_SMTP_URL": smtp_server.url, "MAPDOCS_MAIL_FROM": "panel@barnet-map.invalid",
           "MAPDOCS_PUBLIC_BASE_URL": "https://mapdocs.example.invalid"}
    early = runner.invoke(cli, ["packs", "send", str(meeting.meeting_id)], env=env)
    assert early.exit_code == 3 and "packs go out on" in early.stderr
    assert smtp_server.mailbox.received == []

    sent = runner.invoke(cli, ["packs", "send", str(meeting.meeting_id), "--now"], env=env)
    assert sent.exit_code == 0, sent.output
    body = json.loads(sent.stdout)
    assert set(body) == {"meeting_id", "sent", "skipped"}
    assert len(body["sent"]) == len(smtp_server.mailbox.received) == 19
    link = re.compile(r"https://mapdocs\.example\.invalid/l/[A-Za-z0-9_-]{20,}")
    assert all(link.search(m.body) for m in smtp_server.mailbox.received)


def test_send_without_mail_settings_says_what_to_set(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    runner.invoke(cli, ["packs", "build", str(meeting.meeting_id), "--out", str(tmp_path), "--plain-agenda"])
    result = runner.invoke(cli, ["packs", "send", str(meeting.meeting_id), "--now"],
                           env={"MAPDOCS_PUBLIC_BASE_URL": "https://x.invalid", "MAPDOCS_SMTP_URL": "",
                                "MAPDOCS_MAIL_FROM": ""})
    assert result.exit_code == 1 and "MAPDOCS_SMTP_URL" in result.output
