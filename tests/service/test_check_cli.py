"""``mapdocs check FILE... --panel SLUG``: the JSON Lines contract and exit codes (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import cli

CHECK_KEYS = {"file", "route", "findings", "error"}
FINDING_KEYS = {"rule", "severity", "message", "path"}
ROUTES = {
    "refer_to_social_care_now",
    "needs_review",
    "awaiting_chair_decision",
    "signpost",
    "join_existing_caf",
    "consent_missing",
    "not_eligible",
    "needs_information",
    "ready_for_panel",
}


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _dev(shared_dir: Path, flag: str) -> list[Path]:
    """Dev files whose manifest notes carry ``flag`` (e.g. significant_harm=yes), digital ones first."""
    rows = (shared_dir / "corpus" / "dev" / "MANIFEST.tsv").read_text().splitlines()[1:]
    found = [row.split("\t") for row in rows if flag in row]
    found.sort(key=lambda cols: cols[2].startswith("scan"))
    return [shared_dir / "corpus" / "dev" / cols[0] for cols in found]


@pytest.mark.corpus
def test_check_prints_one_line_per_file_with_harm_first(shared_dir: Path) -> None:
    harm = _dev(shared_dir, "significant_harm=yes")[0]
    other = next(p for p in _dev(shared_dir, "clean") if p != harm)
    result = CliRunner().invoke(cli, ["check", str(harm), str(other), "--panel", "barnet-map"])
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [line["file"] for line in lines] == [harm.name, other.name]
    for line in lines:
        assert set(line) == CHECK_KEYS
        assert line["error"] is None and line["route"] in ROUTES
        assert line["findings"] and all(set(f) == FINDING_KEYS for f in line["findings"])
        assert all(f["severity"] in {"blocker", "warning", "info"} for f in line["findings"])
    assert lines[0]["route"] == "refer_to_social_care_now"
    assert lines[0]["findings"][0]["rule"] == "safeguarding.significant_harm"
    assert lines[0]["findings"][0]["path"] == "safeguarding.significant_harm_concern"


@pytest.mark.corpus
def test_the_panel_decides_the_rules(shared_dir: Path) -> None:
    harm = _dev(shared_dir, "significant_harm=yes")[0]
    lines = [
        _lines(CliRunner().invoke(cli, ["check", str(harm), "--panel", slug]).stdout)[0]
        for slug in ("barnet-map", "hackney-mat")
    ]
    assert all(line["route"] == "refer_to_social_care_now" for line in lines)
    assert [f["rule"] for f in lines[0]["findings"]] != [f["rule"] for f in lines[1]["findings"]]


def test_a_file_that_cannot_be_read_is_an_error_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a form at all\n")
    result = CliRunner().invoke(cli, ["check", str(bad), "--panel", "generic"])
    assert result.exit_code == 1
    [line] = _lines(result.stdout)
    assert set(line) == CHECK_KEYS
    assert line["route"] is None and line["findings"] == []
    assert set(line["error"]) == {"type", "detail"} and line["error"]["type"] == "unsupported-media-type"


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "{file}"],
        ["check", "{file}", "--panel", "atlantis"],
        ["check", "missing.pdf", "--panel", "generic"],
    ],
)
def test_usage_errors_exit_2_and_print_nothing_on_stdout(tmp_path: Path, args: list[str]) -> None:
    present = tmp_path / "f.pdf"
    present.write_bytes(b"%PDF-1.4\n")
    result = CliRunner().invoke(cli, [a.replace("{file}", str(present)) for a in args])
    assert result.exit_code == 2
    assert result.stdout == ""
