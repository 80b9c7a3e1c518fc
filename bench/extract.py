"""Per-form extraction time for each digital format of the dev corpus, in-process.

Start-up is excluded: every file is extracted once untimed (imports, caches, the
registry), then ``repeat`` timed calls of :func:`extractors.pipeline.extract` — the
same call ``mapdocs extract`` and the upload job make. Scanned files belong to the
OCR benchmark and are not read here.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.stats import fmt_ms, median, percentile, table, verdict

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    goal_s: float
    #: "form" or "page": what the goal is per
    goal_per: str


GROUPS = (
    Group("fillable-named", "fillable PDF, named fields", 0.040, "form"),
    Group("fillable-generic", "fillable PDF, generic fields", 0.100, "page"),
    Group("printed", "printed (flat) PDF", 0.100, "page"),
    Group("word", "Word (.docx)", 0.040, "form"),
)


@dataclass
class Timings:
    per_form: list[float] = field(default_factory=list)
    per_page: list[float] = field(default_factory=list)
    files: int = 0
    pages: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def shared_dir() -> Path:
    configured = os.environ.get("MAPDOCS_SHARED_DIR")
    return Path(configured) if configured else (ROOT / ".." / "shared").resolve()


def group_of(fmt: str, notes: str) -> str | None:
    """The benchmark group of a MANIFEST row; None for scans and other formats."""
    if fmt == "fillable_pdf":
        return "fillable-generic" if "fields=generic" in notes else "fillable-named"
    return {"flat_pdf": "printed", "docx": "word"}.get(fmt)


def corpus_files(corpus: Path, only: set[str] | None) -> list[tuple[str, Path]]:
    with open(corpus / "MANIFEST.tsv", newline="") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    selected = []
    for row in rows:
        group = group_of(row["format"], row.get("notes") or "")
        if group and (only is None or group in only):
            selected.append((group, corpus / row["file"]))
    return selected


def page_count(data: bytes, media_type_pdf: bool) -> int | None:
    if not media_type_pdf:
        return None
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


#: "wall" is what a user waits; "cpu" (this thread's CPU time) leaves out waiting for a core
#: that other work on a shared machine holds, so it is steadier between runs.
CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def main(*, repeat: int, only: set[str] | None, per_file: bool,
         clock: str = "wall") -> dict[str, dict[str, object]]:
    from extractors import pipeline

    now = CLOCKS[clock]
    corpus = shared_dir() / "corpus" / "dev"
    files = corpus_files(corpus, only)
    timings = {group.key: Timings() for group in GROUPS}
    file_rows: list[list[str]] = []
    for group_key, path in files:
        data = path.read_bytes()
        pages = page_count(data, path.suffix.lower() == ".pdf")
        bucket = timings[group_key]
        try:
            pipeline.extract(data)  # warm-up, untimed
            samples = []
            for _ in range(repeat):
                began = now()
                pipeline.extract(data)
                samples.append(now() - began)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports failures, it does not stop at them
            name = type(exc).__name__
            bucket.errors[name] = bucket.errors.get(name, 0) + 1
            file_rows.append([path.name, group_key, "error", name, ""])
            continue
        bucket.files += 1
        bucket.pages += pages or 0
        bucket.per_form.extend(samples)
        if pages:
            bucket.per_page.extend(sample / pages for sample in samples)
        file_rows.append([path.name, group_key, str(pages or "—"), fmt_ms(median(samples)),
                          fmt_ms(percentile(samples, 95))])

    if per_file:
        print(table(["file", "group", "pages", "median ms", "p95 ms"], file_rows))
        print()
    summary: dict[str, dict[str, object]] = {}
    rows = []
    for group in GROUPS:
        got = timings[group.key]
        if only is not None and group.key not in only:
            continue
        measured = percentile(got.per_form if group.goal_per == "form" else got.per_page, 95)
        summary[group.key] = {
            "files": got.files, "pages": got.pages, "errors": got.errors,
            "form_median_s": median(got.per_form), "form_p95_s": percentile(got.per_form, 95),
            "page_median_s": median(got.per_page), "page_p95_s": percentile(got.per_page, 95),
            "goal_s": group.goal_s, "goal_per": group.goal_per,
        }
        errors = sum(got.errors.values())
        rows.append([
            group.label, str(got.files), str(errors),
            fmt_ms(median(got.per_form)), fmt_ms(percentile(got.per_form, 95)),
            fmt_ms(median(got.per_page)), fmt_ms(percentile(got.per_page, 95)),
            f"≤ {group.goal_s * 1000:.0f} ms/{group.goal_per}", verdict(measured, group.goal_s),
        ])
    print(f"Extraction, in-process, start-up excluded, {clock} clock: "
          f"{repeat} timed runs per file of {corpus}")
    headers = ["format", "files", "errors", "form p50", "form p95", "page p50", "page p95", "goal (p95)", ""]
    print(table(headers, rows))
    return summary
