"""Every file of ``corpus/realworld`` through ``mapdocs extract`` semantics, each in a killed-at-30-s worker.

Each file must end in a record, ``not-an-assessment-form`` or a specific error slug:
never the generic ``extraction-failed`` (an exception nobody translated), never a
traceback on stderr, never a worker that dies without its JSON line, and never more
than 512 MB resident (peak per file). The files go through a pool of two long-lived batch
workers (:func:`extractors.isolated.run_many`), so the libraries load twice, not 122 times; a
worker still busy with a file at 30 s has its process group killed and is replaced, which is
reported as ``extraction-timeout`` like the service does, and a worker that dies on a file fails
the test below (no line). The pool is checked against single-file workers in ``test_isolated``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from extractors import errors
from extractors.isolated import DEFAULT_MEMORY_MB, GENERIC_SLUG, WorkerOutcome, run_many

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

SHARED_DIR = Path(os.environ.get("MAPDOCS_SHARED_DIR")
                  or Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
REALWORLD = SHARED_DIR / "corpus" / "realworld"
NOT_INPUTS = {"README.md", "SOURCES.tsv"}
FILES = sorted(p.name for p in REALWORLD.iterdir() if p.name not in NOT_INPUTS) if REALWORLD.is_dir() else []
WORKERS = 2


def _slugs(cls: type[errors.ExtractionError]) -> set[str]:
    return {cls.slug}.union(*(_slugs(sub) for sub in cls.__subclasses__()))


#: a record (None) or a specific error; the generic base slug is not among them
SPECIFIC = (_slugs(errors.ExtractionError) - {errors.ExtractionError.slug}) | {None}

#: outcomes fixed by design, whichever reader handles the file
EXPECTED = {
    "poi__bug53475-password-is-pass.docx": "encrypted-document",
    "poi__ExternalEntityInText.docx": "unsafe-document",
    "poi__stress025.docx": "unsupported-media-type",
    "pillow__decompression_bomb.gif": "unsupported-media-type",
    "pillow__png_decompression_dos.png": "unsafe-document",
    "qpdf__bad1.pdf": "unsupported-media-type",
    "samplefiles__libreoffice-writer-password.pdf": "encrypted-document",
    "pypdf__r2-user-password.pdf": "encrypted-document",
    "pypdf__r4-aes-user-password.pdf": "encrypted-document",
    "pypdf__r6-both-passwords.pdf": "encrypted-document",
    "qpdf__enc-XI-R6_V5_U_view_O_master.pdf": "encrypted-document",
    "pdfjs__saslprep-r6.pdf": "encrypted-document",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, WorkerOutcome]:
    if not FILES:
        pytest.skip(f"real-world corpus not found at {REALWORLD} (set MAPDOCS_SHARED_DIR)")
    started = time.monotonic()
    ran = run_many([REALWORLD / name for name in FILES], workers=WORKERS, timeout=30,
                   memory_mb=DEFAULT_MEMORY_MB)
    results = dict(zip(FILES, ran, strict=True))
    elapsed = time.monotonic() - started
    slowest = sorted(results.values(), key=lambda o: o.seconds, reverse=True)[:5]
    print(f"\nreal-world corpus: {len(FILES)} files in {elapsed:.1f} s with {WORKERS} workers; slowest: "
          + ", ".join(f"{o.file} {o.seconds:.1f} s" for o in slowest))
    return results


def test_corpus_is_complete() -> None:
    if not REALWORLD.is_dir():
        pytest.skip(f"real-world corpus not found at {REALWORLD} (set MAPDOCS_SHARED_DIR)")
    assert len(FILES) >= 100, f"expected the 122 real-world files under {REALWORLD}"


@pytest.mark.parametrize("name", FILES)
def test_file_ends_in_a_specific_outcome(outcomes: dict[str, WorkerOutcome], name: str) -> None:
    outcome = outcomes[name]
    assert outcome.killed or outcome.line is not None, (
        f"{name}: worker ended with status {outcome.exit_code} without an outcome line")
    if outcome.slug == GENERIC_SLUG:
        pytest.fail(f"{name}: untranslated {outcome.as_line()['error']['detail']} inside the extractor")
    assert outcome.slug in SPECIFIC, f"{name}: unknown outcome {outcome.slug}"
    assert "Traceback" not in outcome.stderr, f"{name}: a traceback reached stderr"
    assert outcome.peak_rss_kb <= DEFAULT_MEMORY_MB * 1024, f"{name}: peak {outcome.peak_rss_kb // 1024} MB"
    if name in EXPECTED:
        assert outcome.slug == EXPECTED[name]
