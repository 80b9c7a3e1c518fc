"""``python -m bench [upload|extract|all|ocr|letters]``: run the benchmarks and print their tables.

``all`` is upload and extract; ``ocr`` and ``letters`` take minutes of both cores and
run only when named.

Run from the repository root with the project's venv (``bash .ci/setup test`` makes
it). Nothing here runs in CI: these measure this machine, they do not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench import extract, letters, ocr, upload
from bench.server import BenchSetupError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench",
                                     description="Run the mapdocs benchmarks and print their tables.")
    parser.add_argument("which", nargs="?", default="all",
                        choices=["all", "upload", "extract", "ocr", "letters"])
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    up = parser.add_argument_group("upload")
    up.add_argument("--backend", action="append", choices=["file", "s3"],
                    help="storage backend(s) to measure (default: both)")
    up.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    up.add_argument("--per-client", type=int, default=30, help="uploads per client per run (default 30)")
    up.add_argument("--runs", type=int, default=5, help="timed runs; the table shows medians (default 5)")
    up.add_argument("--database-url", help="MAPDOCS_DATABASE_URL for the service (default: embedded SQLite)")
    up.add_argument("--server-threads", type=int, help="`mapdocs serve --threads` (default: its own default)")
    ex = parser.add_argument_group("extract")
    ex.add_argument("--format", action="append", dest="formats",
                    choices=[group.key for group in extract.GROUPS], help="only these formats")
    ex.add_argument("--repeat", type=int, default=5, help="timed extractions per file (default 5)")
    ex.add_argument("--per-file", action="store_true", help="also print a row per file")
    ex.add_argument("--clock", choices=sorted(extract.CLOCKS), default="wall",
                    help="wall time (default) or this thread's CPU time, steadier on a busy machine")
    oc = parser.add_argument_group("ocr")
    oc.add_argument("--ocr-repeat", type=int, default=2,
                    help="timed extractions per scan on one core (default 2)")
    oc.add_argument("--ocr-files", type=int, help="only the first N scans of the manifest (default: all)")
    oc.add_argument("--ocr-part", action="append", choices=list(ocr.PARTS),
                    help="page (s/page on 1 core), rate (pages/min on 2), caf (6-page CAF); default all")
    le = parser.add_argument_group("letters")
    le.add_argument("--letters", type=int, default=20,
                    help="timed letters for the per-letter figures (default 20)")
    le.add_argument("--batch", type=int, default=100, help="letters in the stored batch (default 100)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (other work skews these figures)\n")
    figures: dict[str, Any] = {"cores": os.cpu_count(), "load_average": os.getloadavg()}
    try:
        if args.which in ("all", "upload"):
            figures["upload"] = upload.main(args.backend or ["file", "s3"], clients=args.clients,
                                            per_client=args.per_client, runs=args.runs,
                                            database_url=args.database_url, threads=args.server_threads)
            print()
        if args.which in ("all", "extract"):
            figures["extract"] = extract.main(repeat=args.repeat,
                                              only=set(args.formats) if args.formats else None,
                                              per_file=args.per_file, clock=args.clock)
        if args.which == "ocr":
            figures["ocr"] = ocr.main(repeat=args.ocr_repeat, limit=args.ocr_files,
                                      parts=frozenset(args.ocr_part or ocr.PARTS))
        if args.which == "letters":
            figures["letters"] = letters.main(count=args.letters, batch=args.batch)
    except BenchSetupError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"bench: mapdocs is not importable here ({exc}); run `bash .ci/setup test` first",
              file=sys.stderr)
        return 1
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
