"""Scoring helpers shared by the dev-corpus tests (digital and scanned forms).

Both tests score the pipeline's records with the shared scorer (``tools/score.py``) and
check that confidence flags the fields that come out wrong; the scorer, the manifest
reading, the scoring run and the per-field outcomes live here so the two cannot drift.
Printed figures carry file names and numbers only, never form content.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from extractors.base import REVIEW_THRESHOLD, ExtractionResult


def scorer(shared: Path) -> ModuleType:
    """The shared scorer imported as a module, for its per-field comparison functions."""
    spec = importlib.util.spec_from_file_location("mapdocs_score", shared / "tools" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest_files(corpus: Path, keep: Callable[[str], bool]) -> list[str]:
    """File names from the corpus manifest whose ``format`` column ``keep`` accepts."""
    lines = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]
    return [row["file"] for row in rows if keep(row["format"])]


def score_summary(
    results: Mapping[str, ExtractionResult | None], shared_dir: Path, tmp_path: Path
) -> dict[str, Any]:
    """The scorer's JSON summary over ``results``, printing per-file figures on the way."""
    corpus = shared_dir / "corpus" / "dev"
    score = scorer(shared_dir)
    pred_path = tmp_path / "pred.jsonl"
    with pred_path.open("w", encoding="utf-8") as handle:
        for name, result in results.items():
            handle.write(json.dumps({"file": name, "record": result.record if result else None}) + "\n")

    # per-file figures while working (numbers and file names only)
    for name, result in results.items():
        truth = json.loads((corpus / f"{name}.truth.json").read_text(encoding="utf-8"))
        tally = score.Tally()
        score.score_one(truth, result.record if result else None, [tally])
        summary = tally.summary()
        lists = summary["list_f1"]["all_lists"]["f1"]
        print(f"{name}: fields {summary['overall_field_accuracy']} lists {lists}")

    # the scorer scores the truth folder as a whole; keep only the files we extracted
    subset = tmp_path / "truth"
    subset.mkdir()
    for name in results:
        (subset / f"{name}.truth.json").write_bytes((corpus / f"{name}.truth.json").read_bytes())
    (subset / "MANIFEST.tsv").write_bytes((corpus / "MANIFEST.tsv").read_bytes())
    completed = subprocess.run(
        [
            sys.executable,
            str(shared_dir / "tools" / "score.py"),
            "--truth",
            str(subset),
            "--pred",
            str(pred_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    summary = json.loads(completed.stdout)
    print("by format:", json.dumps(summary["by_format"]))
    print("by layout:", json.dumps(summary["by_layout"]))
    return dict(summary)


def field_outcomes(
    score: ModuleType, truth: dict[str, Any], result: ExtractionResult | None
) -> list[tuple[bool, float]]:
    """(correct, confidence) for each field the scorer counts, as the scorer decides correctness."""
    pred = result.record if result is not None else None
    conf = result.confidence if result is not None else {}
    out: list[tuple[bool, float]] = []
    for path, kind in score.SCALARS:
        ok = isinstance(pred, dict) and score.same(score.get(truth, path), score.get(pred, path), kind)
        out.append((bool(ok), conf.get(path, 1.0)))
    for _name, (path, key, kkind, subs) in score.LISTS.items():
        tl = score._as_list(score.get(truth, path))
        pl = score._as_list(score.get(pred, path)) if isinstance(pred, dict) else []
        tk = [x.get(key) if isinstance(x, dict) else None for x in tl] if key else tl
        pk = [x.get(key) if isinstance(x, dict) else None for x in pl] if key else pl
        matched = dict(score.match_items(tk, pk, kkind))
        for sub, skind in subs:
            for i, item in enumerate(tl):
                if not isinstance(item, dict):
                    continue
                j = matched.get(i)
                ok = (
                    j is not None
                    and isinstance(pl[j], dict)
                    and score.same(item.get(sub), pl[j].get(sub), skind)
                )
                out.append((bool(ok), conf.get(f"{path}[{j}].{sub}", 1.0) if j is not None else 1.0))
    return out


def flag_counts(
    results: Mapping[str, ExtractionResult | None], shared_dir: Path
) -> tuple[int, int, int, int]:
    """(fields, wrong, wrong and flagged, flagged) over ``results``, printed as well."""
    corpus = shared_dir / "corpus" / "dev"
    score = scorer(shared_dir)
    outcomes: list[tuple[bool, float]] = []
    for name, result in results.items():
        truth = json.loads((corpus / f"{name}.truth.json").read_text(encoding="utf-8"))
        outcomes += field_outcomes(score, truth, result)
    wrong = [conf for ok, conf in outcomes if not ok]
    flagged = [conf for _ok, conf in outcomes if conf < REVIEW_THRESHOLD]
    wrong_flagged = sum(1 for conf in wrong if conf < REVIEW_THRESHOLD)
    print(
        f"fields {len(outcomes)}, wrong {len(wrong)}, wrong flagged {wrong_flagged}, flagged {len(flagged)}"
    )
    return len(outcomes), len(wrong), wrong_flagged, len(flagged)
