"""Extraction in a child process that can be killed: the worker and its supervisor.

Hostile files can make a PDF library loop or allocate without bound, and only a
separate process can be stopped safely. Two halves:

* the worker, ``python -m extractors.isolated FILE [--panel SLUG] [--password-stdin]
  [--full] [--memory-mb N]``, runs :func:`extractors.pipeline.extract` in-process and
  prints one JSON line. It loads the extractors first, then caps its address space at
  what the libraries took plus a headroom (default 512 MiB) for the document, so an
  allocation bomb ends as ``MemoryError`` → ``resource-limit-exceeded`` instead of
  swapping the machine. The headroom is counted above the libraries because their own
  reservation varies by machine (OpenBLAS reserves buffers per CPU core when numpy
  loads): an absolute cap can fail every file with ``ImportError`` before any document
  is read. The password is read from stdin, never from argv, where
  every local user could see it in the process list.
* :func:`run_worker` starts that child in its own process group, kills the group at
  the deadline (→ ``extraction-timeout``) and reads the child's peak memory from
  ``wait4``, so parallel workers do not blur each other's figures.

Line: ``{"file", "ok", "error": {"type", "detail"} | null, "peak_rss_kb", "seconds"}``;
with ``--full`` also ``record``, ``confidence``, ``provenance`` and ``issues`` in the
shapes ``mapdocs extract`` prints. An exception that is not an ``ExtractionError``
becomes ``{"type": "extraction-failed"}`` whose detail is only the exception class
name: a message from a parser may quote document content, which may be personal data.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.base import ExtractionContext, ExtractionResult
from extractors.errors import ExtractionError, ExtractionTimeout, ResourceLimitExceeded

DEFAULT_MEMORY_MB = 512
DEFAULT_TIMEOUT_S = 30.0
#: the slug of an exception nobody translated; tests require that no file ends here
GENERIC_SLUG = ExtractionError.slug
_REPO = Path(__file__).resolve().parents[1]
_POLL_S = 0.02


# --- worker (the child) ---------------------------------------------------------------------------


def _address_space() -> int:
    """Bytes of address space this process has mapped now (0 where ``/proc`` is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def preload() -> None:
    """Import the extractors and the libraries they load, before the memory cap applies.

    A failure is left for :func:`run` to report: Python imports a failed module again.
    """
    try:
        import extractors.pipeline  # noqa: F401
        import extractors.registry  # noqa: F401
    except Exception:  # noqa: BLE001, S110  (reported by run(), which imports them again)
        pass


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at its current size plus ``megabytes``.

    A runaway allocation then raises ``MemoryError``.
    """
    if megabytes <= 0:
        return
    limit = _address_space() + megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def run(path: Path, ctx: ExtractionContext) -> tuple[ExtractionResult | None, dict[str, str] | None]:
    """Extract one file; return the result or the ``{"type", "detail"}`` error shape."""
    try:
        from extractors import pipeline  # here, so that an import-time failure is reported too

        data = path.read_bytes()
        return pipeline.extract(data, ctx), None
    except ExtractionError as exc:
        return None, {"type": exc.slug, "detail": exc.detail}
    except MemoryError:
        error = ResourceLimitExceeded()
        return None, {"type": error.slug, "detail": error.detail}
    except RecursionError:
        error = ResourceLimitExceeded("The document is nested more deeply than mapdocs allows")
        return None, {"type": error.slug, "detail": error.detail}
    except Exception as exc:  # noqa: BLE001  (the point of this module: nothing escapes as a traceback)
        return None, {"type": GENERIC_SLUG, "detail": type(exc).__name__}


def outcome(path: Path, ctx: ExtractionContext, full: bool = False) -> dict[str, Any]:
    """The JSON line for one file."""
    started = time.perf_counter()
    result, error = run(path, ctx)
    line: dict[str, Any] = {"file": path.name, "ok": error is None, "error": error}
    if full:
        line["record"] = result.record if result else None
        line["confidence"] = result.confidence if result else {}
        line["provenance"] = result.provenance_json() if result else {}
        line["issues"] = [issue.to_json() for issue in result.issues] if result else []
    line["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line["seconds"] = round(time.perf_counter() - started, 3)
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractors.isolated",
                                     description="Extract one file and print one JSON line.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--panel")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the document password from the first line of stdin")
    parser.add_argument("--full", action="store_true",
                        help="also print record, confidence, provenance and issues")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help="address space in MiB the extraction may add to the loaded libraries "
                             "(0 = no cap)")
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    preload()
    limit_memory(args.memory_mb)
    ctx = ExtractionContext(password=password or None, panel=args.panel)
    line = outcome(args.file, ctx, full=args.full)
    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


# --- supervisor (the parent) ----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerOutcome:
    """What became of one worker: its line (None if killed or dead), exit code, peak memory."""

    file: str
    line: dict[str, Any] | None
    killed: bool
    exit_code: int
    peak_rss_kb: int
    seconds: float
    stderr: str

    @property
    def slug(self) -> str | None:
        """None for a record; else the error type (``extraction-timeout`` when killed)."""
        error = self.as_line()["error"]
        return None if error is None else str(error["type"])

    def as_line(self) -> dict[str, Any]:
        """The worker's line, or one standing in for a worker that was killed or died."""
        if self.line is not None:
            return self.line
        if self.killed:
            error = {"type": ExtractionTimeout.slug, "detail": ExtractionTimeout.title}
        else:
            error = {"type": GENERIC_SLUG, "detail": f"worker ended with status {self.exit_code}"}
        return {"file": self.file, "ok": False, "error": error,
                "peak_rss_kb": self.peak_rss_kb, "seconds": round(self.seconds, 3)}


def run_worker(path: Path, *, password: str | None = None, panel: str | None = None,
               full: bool = False, timeout: float = DEFAULT_TIMEOUT_S,
               memory_mb: int = DEFAULT_MEMORY_MB) -> WorkerOutcome:
    """Extract ``path`` in a child process, killed (with its process group) after ``timeout`` s."""
    argv = [sys.executable, "-m", "extractors.isolated", str(path), "--memory-mb", str(memory_mb)]
    argv += ["--panel", panel] if panel else []
    argv += ["--full"] if full else []
    argv += ["--password-stdin"] if password is not None else []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_REPO), env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as stdin:
        # files, not pipes: a child that writes a lot cannot block on a full pipe before its deadline
        stdin.write(f"{password}\n".encode() if password is not None else b"")
        stdin.seek(0)
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, env=env,
                                start_new_session=True)
        status, usage, killed = _wait(proc.pid, started + timeout)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen
        out.seek(0)
        err.seek(0)
        lines = out.read().decode("utf-8", "replace").strip().splitlines()
        stderr = err.read().decode("utf-8", "replace")
    line: dict[str, Any] | None = None
    if lines and not killed:
        try:
            line = json.loads(lines[-1])
        except json.JSONDecodeError:
            line = None
    return WorkerOutcome(file=path.name, line=line, killed=killed, exit_code=proc.returncode,
                         peak_rss_kb=usage.ru_maxrss, seconds=seconds, stderr=stderr)


def _wait(pid: int, deadline: float) -> tuple[int, resource.struct_rusage, bool]:
    """Reap the child with its own resource usage; kill its process group at the deadline."""
    while True:
        reaped, status, usage = os.wait4(pid, os.WNOHANG)
        if reaped:
            return status, usage, False
        if time.monotonic() > deadline:
            # by process group: the worker may have started helpers (pdftotext, tesseract)
            os.killpg(pid, signal.SIGKILL)
            _reaped, status, usage = os.wait4(pid, 0)
            return status, usage, True
        time.sleep(_POLL_S)


if __name__ == "__main__":
    sys.exit(main())
