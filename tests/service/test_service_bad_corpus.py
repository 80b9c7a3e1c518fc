"""The hostile files of ``corpus/bad`` through the API and the CLI, one test per file and channel.

Outcomes are those of the foundation issue. Each CLI run is a subprocess whose peak
memory must stay ≤ 512 MB, and the service must still answer ``/healthz`` afterwards.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter

from service.cli import cli
from service.context import EXTENSION
from service.models import AuditEvent, Document, ExtractionRun
from tests.service.cli_run import assert_extract_line, run_mapdocs
from tests.service.svc_helpers import assert_problem, finished_job, make_pdf, upload

pytestmark = pytest.mark.corpus

PEAK_MEMORY_LIMIT = 512 * 1024 * 1024


@dataclass(frozen=True)
class Expected:
    """``refused`` files store nothing; accepted ones end with ``error`` (None: a record)."""

    refused: bool
    error: str | None
    status: int = 201
    media_type: str | None = None
    may_repair: bool = False  # truncated.pdf: refused, or accepted with an issue if repairable
    issue_code: str | None = None


EXPECTED = {
    "encrypted.pdf": Expected(False, "encrypted-document", media_type="application/pdf"),
    "truncated.pdf": Expected(True, "damaged-document", 422, may_repair=True),
    "empty.pdf": Expected(True, "empty-file", 422),
    "image_renamed.pdf": Expected(False, "not-an-assessment-form", media_type="image/png"),
    "javascript.pdf": Expected(False, None, media_type="application/pdf", issue_code="active-content"),
    "zipbomb.docx": Expected(True, "unsafe-document", 422),
    "xxe.docx": Expected(True, "unsafe-document", 422),
    "long_report.pdf": Expected(False, "not-an-assessment-form", media_type="application/pdf"),
    "letter.docx": Expected(False, "not-an-assessment-form"),
    "acroform_no_values.pdf": Expected(False, None, media_type="application/pdf", issue_code="empty-form"),
}
BAD_FILES = sorted(EXPECTED)


def _bad_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "bad"


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _assert_record_of_nulls(record: dict) -> None:
    content = {key: value for key, value in record.items() if key not in ("schema_version", "form_type")}
    assert all(leaf in (None, False) for leaf in _leaves(content)), "values were invented for an empty form"


def test_every_bad_file_has_an_expected_outcome(shared_dir: Path) -> None:
    rows = (_bad_dir(shared_dir) / "README.tsv").read_text().splitlines()[1:]
    listed = [line.split("\t")[0] for line in rows if line.strip()]
    assert sorted(listed) == BAD_FILES


# --- through the API -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_through_the_api(name: str, shared_dir: Path, app: Flask, client: FlaskClient, auth) -> None:
    expected = EXPECTED[name]
    data = (_bad_dir(shared_dir) / name).read_bytes()
    headers = auth("triage")
    svc = app.extensions[EXTENSION]
    response = upload(client, headers, data, filename=name)

    if expected.refused and not (expected.may_repair and response.status_code == 201):
        assert_problem(response, expected.status, expected.error)
        assert list(svc.store.list()) == []
        with svc.db.session() as session:
            assert session.query(Document).count() == 0
    else:
        assert response.status_code == 201, response.get_data(as_text=True)[:300]
        body = response.get_json()
        if expected.media_type:
            assert body["media_type"] == expected.media_type
        assert client.get(f"/api/v1/documents/{body['id']}/original", headers=headers).data == data
        run = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers).get_json()
        codes = {issue.get("code") for issue in run["issues"]}
        if expected.may_repair:  # repaired: accepted, with an issue saying so
            assert run["issues"]
        elif expected.error is None:
            assert run["error"] is None, run["error"]
            assert run["record"] is not None
            assert finished_job(client, headers, body["job"]["id"])["state"] == "succeeded"
        else:
            assert run["error"]["type"] == expected.error
            assert run["record"] is None
            assert finished_job(client, headers, body["job"]["id"])["state"] == "failed"
        if expected.issue_code:
            assert expected.issue_code in codes, codes
        if name == "acroform_no_values.pdf":
            _assert_record_of_nulls(run["record"])
    assert client.get("/healthz").status_code == 200


def test_encrypted_corpus_file_keeps_asking_for_the_password(shared_dir: Path, app: Flask,
                                                             client: FlaskClient, auth, caplog) -> None:
    data = (_bad_dir(shared_dir) / "encrypted.pdf").read_bytes()
    headers = auth("triage")
    document = upload(client, headers, data).get_json()
    wrong = "not-the-password-7f3a"
    retry = client.post(f"/api/v1/documents/{document['id']}/extract", headers=headers,
                        data={"password": wrong})
    assert retry.status_code == 200
    assert finished_job(client, headers, retry.get_json()["id"])["errors"][0]["type"] == "encrypted-document"
    again = upload(client, headers, data, password=wrong)
    assert again.status_code == 200 and again.get_json()["id"] == document["id"]
    assert again.get_json()["job"]["id"] != document["job"]["id"]
    _assert_password_not_kept(app, wrong, caplog.text)


def _encrypted_pdf(password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf("encrypted")))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _assert_password_not_kept(app: Flask, password: str, log_text: str) -> None:
    assert password not in log_text
    with app.extensions[EXTENSION].db.session() as session:
        stored = [json.dumps(e.detail) for e in session.query(AuditEvent)]
        stored += [json.dumps([r.issues, r.error_detail]) for r in session.query(ExtractionRun)]
    assert not any(password in text for text in stored)


@pytest.mark.db
def test_encrypted_pdf_is_read_once_the_password_is_supplied(app: Flask, client: FlaskClient, auth,
                                                             caplog) -> None:
    password = "correct-horse-61"
    data = _encrypted_pdf(password)
    headers = auth("triage")
    first = upload(client, headers, data)
    assert first.status_code == 201
    document = first.get_json()
    record = client.get(f"/api/v1/documents/{document['id']}/record", headers=headers).get_json()
    assert record["error"]["type"] == "encrypted-document"
    assert client.get(f"/api/v1/documents/{document['id']}", headers=headers).get_json()["encrypted"] is True

    retry = client.post(f"/api/v1/documents/{document['id']}/extract", headers=headers,
                        json={"password": password})
    assert retry.status_code == 200
    finished_job(client, headers, retry.get_json()["id"])
    record = client.get(f"/api/v1/documents/{document['id']}/record", headers=headers).get_json()
    assert (record["error"] or {}).get("type") != "encrypted-document"

    resent = upload(client, headers, data, password=password)  # the password on a re-upload also works
    assert resent.status_code == 200 and resent.get_json()["id"] == document["id"]
    job = client.get(f"/api/v1/jobs/{resent.get_json()['job']['id']}", headers=headers).get_json()
    assert all(error["type"] != "encrypted-document" for error in job["errors"])
    assert client.get(f"/api/v1/documents/{document['id']}/original", headers=headers).data == data
    _assert_password_not_kept(app, password, caplog.text)


# --- through the CLI -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_through_mapdocs_extract(name: str, shared_dir: Path) -> None:
    expected = EXPECTED[name]
    run = run_mapdocs("extract", str(_bad_dir(shared_dir) / name))
    assert run.peak_bytes <= PEAK_MEMORY_LIMIT, f"peak {run.peak_bytes / 2**20:.0f} MiB"
    assert "Traceback" not in run.stderr
    (line,) = run.lines()
    assert_extract_line(line)
    assert line["file"] == name
    if expected.may_repair and line["error"] is None:
        assert line["issues"]
    elif expected.error is None:
        assert line["error"] is None, line["error"]
        assert line["record"] is not None
    else:
        assert line["error"]["type"] == expected.error
    assert run.returncode == (0 if line["error"] is None else 1)
    if expected.issue_code == "active-content":
        assert any("script" in issue["message"].lower() for issue in line["issues"])
    if name == "acroform_no_values.pdf":
        _assert_record_of_nulls(line["record"])
        assert line["issues"]


def test_wrong_password_on_the_cli_keeps_encrypted_document(shared_dir: Path) -> None:
    run = run_mapdocs("extract", str(_bad_dir(shared_dir) / "encrypted.pdf"), "--password", "wrong-one-5d1")
    (line,) = run.lines()
    assert line["error"]["type"] == "encrypted-document" and run.returncode == 1
    assert "wrong-one-5d1" not in run.stderr + run.stdout


def test_cli_reads_an_encrypted_pdf_with_its_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf("s3cret-pass"))
    locked = run_mapdocs("extract", str(path)).lines()[0]
    assert locked["error"]["type"] == "encrypted-document"
    opened = run_mapdocs("extract", str(path), "--password", "s3cret-pass").lines()[0]
    assert (opened["error"] or {}).get("type") != "encrypted-document"


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_through_mapdocs_ingest(name: str, shared_dir: Path, app: Flask, runner: CliRunner) -> None:
    expected = EXPECTED[name]
    result = runner.invoke(cli, ["ingest", str(_bad_dir(shared_dir) / name), "--panel", "generic"])
    (line,) = [json.loads(text) for text in result.stdout.splitlines()]
    if "error" in line:
        assert expected.refused
        assert line == {"file": name, "error": {"type": expected.error, "detail": line["error"]["detail"]}}
        assert result.exit_code == 1
        assert list(app.extensions[EXTENSION].store.list()) == []
    else:
        assert not expected.refused or expected.may_repair
        assert set(line) == {"id", "sha256", "media_type", "panel", "job"}
        assert result.exit_code == 0
    assert app.test_client().get("/healthz").status_code == 200
