"""Held-out layout E must read at ≥ 0.90 field accuracy, as Word and as a printed PDF.

Layout E (``make_layout_e.py``) is a made-up council's form with other words for every
label, sections in another order and other table shapes. The readers must not know it
exists: a low score here means the label vocabulary or the reader is too narrow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.pipeline import extract
from tests.layouts.make_layout_e import DOCX, PDF, TRUTH, TRUTH_RECORD

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MAPDOCS_SHARED_DIR") or (REPO / ".." / "shared")).resolve()
SCORE = SHARED / "tools" / "score.py"
FILES = (DOCX, PDF)


def score(files: tuple[Path, ...], tmp_path: Path) -> dict[str, object]:
    """Run the shared scorer over our extractions against the layout's truth."""
    if not SCORE.is_file():
        pytest.skip(f"score.py not found under {SHARED} (set MAPDOCS_SHARED_DIR)")
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    lines = []
    truth = TRUTH.read_text(encoding="utf-8")
    for path in files:
        (truth_dir / f"{path.name}.truth.json").write_text(truth, encoding="utf-8")
        record = extract(path.read_bytes()).record
        lines.append(json.dumps({"file": path.name, "record": record}))
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCORE), "--truth", str(truth_dir), "--pred", str(pred),
                          "--json"], check=True, capture_output=True, text=True, timeout=60)
    return dict(json.loads(run.stdout))


def test_truth_file_is_the_record_the_form_was_made_from() -> None:
    assert json.loads(TRUTH.read_text(encoding="utf-8")) == TRUTH_RECORD


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.suffix.lstrip("."))
def test_layout_e_reads_at_ninety_percent(path: Path, tmp_path: Path) -> None:
    result = score((path,), tmp_path)
    missed = sorted(name for name, field in result["by_field"].items()  # type: ignore[attr-defined]
                    if field["accuracy"] < 1)
    assert result["consent_false_accepts"] == 0
    assert result["overall_field_accuracy"] >= 0.90, f"fields read wrongly: {missed}"
