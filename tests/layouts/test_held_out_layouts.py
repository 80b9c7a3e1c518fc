"""Every held-out layout must read at ≥ 0.90 field accuracy, as Word and as a printed PDF.

The layouts (``make_layout_*.py``) are made-up or modelled-on councils' forms with other
words for the labels, other section orders and other table shapes. The readers must not
know they exist: a low score here means the label vocabulary or the reader is too narrow.
A consent read as given when the form does not give it is never acceptable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from extractors.pipeline import extract
from tests.layouts import make_layout_d, make_layout_e, make_layout_f, make_layout_g, make_layout_h

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MAPDOCS_SHARED_DIR") or (REPO / ".." / "shared")).resolve()
SCORE = SHARED / "tools" / "score.py"
LAYOUTS = (make_layout_d, make_layout_e, make_layout_f, make_layout_g, make_layout_h)


def _layout_id(layout: ModuleType) -> str:
    return layout.__name__.rsplit("_", 1)[-1]


def score(path: Path, truth: Path, tmp_path: Path) -> dict[str, Any]:
    """Run the shared scorer over our extraction of one file against the layout's truth."""
    if not SCORE.is_file():
        pytest.skip(f"score.py not found under {SHARED} (set MAPDOCS_SHARED_DIR)")
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    (truth_dir / f"{path.name}.truth.json").write_text(truth.read_text(encoding="utf-8"), encoding="utf-8")
    record = extract(path.read_bytes()).record
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"file": path.name, "record": record}) + "\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCORE), "--truth", str(truth_dir), "--pred", str(pred),
                          "--json"], check=True, capture_output=True, text=True, timeout=60)
    return dict(json.loads(run.stdout))


@pytest.mark.parametrize("layout", LAYOUTS, ids=_layout_id)
def test_truth_file_is_the_record_the_form_was_made_from(layout: ModuleType) -> None:
    assert json.loads(layout.TRUTH.read_text(encoding="utf-8")) == layout.TRUTH_RECORD


@pytest.mark.parametrize("kind", ["docx", "pdf"])
@pytest.mark.parametrize("layout", LAYOUTS, ids=_layout_id)
def test_layout_reads_at_ninety_percent(layout: ModuleType, kind: str, tmp_path: Path) -> None:
    path = layout.DOCX if kind == "docx" else layout.PDF
    result = score(path, layout.TRUTH, tmp_path)
    missed = sorted(name for name, field in result["by_field"].items() if field["accuracy"] < 1)
    assert result["consent_false_accepts"] == 0
    assert result["overall_field_accuracy"] >= 0.90, f"fields read wrongly: {missed}"
