"""The ``mapdocs`` command: users, ingest, extract (output contract), db upgrade."""

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from flask import Flask

from extractors import base as extractor_base
from extractors.errors import ExtractionError
from service.cli import cli
from service.context import EXTENSION
from service.models import AuditEvent, Document, User
from tests.service.cli_run import assert_extract_line, run_mapdocs
from tests.service.svc_helpers import make_pdf


def _digital_dev_file(shared_dir: Path) -> Path:
    """The first fillable/printed PDF or Word file of the dev corpus (any one will do)."""
    manifest = (shared_dir / "corpus" / "dev" / "MANIFEST.tsv").read_text().splitlines()[1:]
    for row in manifest:
        name, _layout, fmt = row.split("\t")[:3]
        if not fmt.startswith("scan"):
            return shared_dir / "corpus" / "dev" / name
    pytest.skip("no digital form in the dev corpus")


@pytest.mark.db
def test_users_create_prints_only_a_working_token(app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["users", "create", "Duty Officer", "--role", "triage"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and len(token) >= 40 and " " not in token
    response = app.test_client().get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert app.test_client().post("/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                                  data={}).status_code == 422  # authenticated, then validated
    with app.extensions[EXTENSION].db.session() as session:
        assert session.query(User).one().role == "triage"
        event = session.query(AuditEvent).filter(AuditEvent.action == "user.create").one()
        assert event.actor_type == "system"


def test_panel_member_without_agency_is_a_usage_error(app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["users", "create", "Member", "--role", "panel_member"])
    assert result.exit_code == 2
    assert result.stdout == ""
    ok = runner.invoke(cli, ["users", "create", "Member", "--role", "panel_member",
                             "--agency", "school-nursing"])
    assert ok.exit_code == 0, ok.output


def test_unknown_role_is_a_usage_error(app: Flask, runner: CliRunner) -> None:
    assert runner.invoke(cli, ["users", "create", "X", "--role", "root"]).exit_code == 2


@pytest.mark.db
def test_ingest_prints_the_upload_response_per_file(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(make_pdf("cli-ingest"))
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = runner.invoke(cli, ["ingest", str(good), str(empty), str(good), "--panel", "barnet-map"])
    assert result.exit_code == 1, result.output
    first, refused, again = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == {"id", "sha256", "media_type", "panel", "job"}
    assert first["panel"] == "barnet-map" and set(first["job"]) == {"id", "state"}
    assert refused["file"] == "empty.pdf" and set(refused) == {"file", "error"}
    assert refused["error"]["type"] == "empty-file" and set(refused["error"]) == {"type", "detail"}
    assert again["id"] == first["id"]
    with app.extensions[EXTENSION].db.session() as session:
        assert session.query(Document).count() == 1
        upload_event = session.query(AuditEvent).filter(AuditEvent.action == "document.upload").one()
        assert upload_event.actor_type == "system"


def test_ingest_unknown_panel_is_refused(app: Flask, runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(make_pdf("cli-panel"))
    result = runner.invoke(cli, ["ingest", str(good), "--panel", "atlantis"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["type"] == "unknown-panel"


def test_db_upgrade_is_idempotent(app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.corpus
def test_extract_output_contract_on_a_dev_form(shared_dir: Path) -> None:
    path = _digital_dev_file(shared_dir)
    run = run_mapdocs("extract", str(path))
    (line,) = run.lines()
    assert_extract_line(line)
    assert line["file"] == path.name
    assert line["error"] is None, line["error"]
    assert run.returncode == 0
    schema = json.loads((shared_dir / "spec" / "referral-record.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(line["record"])
    assert line["confidence"] and line["provenance"]


def test_extract_needs_no_database(tmp_path: Path) -> None:
    sample = tmp_path / "sample.pdf"
    sample.write_bytes(make_pdf("no-db"))
    run = run_mapdocs("extract", str(sample), env={"MAPDOCS_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/x",
                                                   "MAPDOCS_DATA_DIR": str(tmp_path / "nowhere")})
    (line,) = run.lines()
    assert_extract_line(line)
    assert run.returncode == (0 if line["error"] is None else 1)
    assert not (tmp_path / "nowhere").exists()


def test_extract_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["extract"]).exit_code == 2
    assert runner.invoke(cli, ["extract", str(tmp_path / "missing.pdf")]).exit_code == 2
    sample = tmp_path / "s.pdf"
    sample.write_bytes(make_pdf("usage"))
    assert runner.invoke(cli, ["extract", str(sample), "--panel", "atlantis"]).exit_code == 2


class _CrashingExtractor:
    """A reader with a bug whose message quotes the document."""

    name = "crashing"
    version = "0"
    media_types = ("application/pdf",)

    def score(self, media_type, data, ctx):
        return 1e9

    def extract(self, data, ctx):
        raise RuntimeError("Jane Example, 12 Private Road")


def test_unexpected_extractor_exception_becomes_extraction_failed(tmp_path: Path, caplog) -> None:
    sample = tmp_path / "crash.pdf"
    sample.write_bytes(make_pdf("crash"))
    extractor_base.register(_CrashingExtractor)
    try:
        result = CliRunner().invoke(cli, ["extract", str(sample)])
    finally:
        extractor_base._REGISTRY.remove(_CrashingExtractor)
    assert result.exit_code == 1
    line = json.loads(result.stdout)
    assert_extract_line(line)
    assert line["error"]["type"] == ExtractionError.slug == "extraction-failed"
    assert "Jane" not in result.output and "Jane" not in caplog.text and "Traceback" not in result.output
    assert "RuntimeError" in caplog.text


@pytest.mark.db
def test_users_revoke_withdraws_the_token(app: Flask, runner: CliRunner) -> None:
    token = runner.invoke(cli, ["users", "create", "Leaver", "--role", "chair"]).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    job_url = "/api/v1/jobs/00000000-0000-4000-8000-000000000000"
    assert app.test_client().get(job_url, headers=headers).status_code == 404
    result = runner.invoke(cli, ["users", "revoke", token])
    assert result.exit_code == 0, result.output
    assert app.test_client().get(job_url, headers=headers).status_code == 401
