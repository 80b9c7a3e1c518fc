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

* the batch worker, ``python -m extractors.isolated --batch [--memory-mb N]`` (:func:`serve`),
  loads the libraries once and then reads one JSON request a line on stdin (file, password,
  panel, full) and writes one line per file; :class:`WorkerPool` / :func:`run_many` feed N of
  them one file at a time with the same per-file guarantees (deadline by killing the worker's
  process group and starting a fresh one, address-space cap, per-file peak memory from
  ``VmHWM`` reset through ``/proc/self/clear_refs``), which saves the one to two seconds of
  imports a fresh interpreter spends per file when many files are checked.

Line: ``{"file", "ok", "error": {"type", "detail"} | null, "peak_rss_kb", "seconds"}``;
with ``--full`` also ``record``, ``confidence``, ``provenance`` and ``issues`` in the
shapes ``mapdocs extract`` prints. An exception that is not an ``ExtractionError``
becomes ``{"type": "extraction-failed"}`` whose detail is only the exception class
name: a message from a parser may quote document content, which may be personal data.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import queue
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.base import ExtractionContext, ExtractionResult
from extractors.errors import (
    DamagedDocument,
    ExtractionError,
    ExtractionTimeout,
    ResourceLimitExceeded,
)

DEFAULT_MEMORY_MB = 512
DEFAULT_TIMEOUT_S = 30.0
#: the slug of an exception nobody translated; tests require that no file ends here
GENERIC_SLUG = ExtractionError.slug
_REPO = Path(__file__).resolve().parents[1]
_POLL_S = 0.02
#: the detail of a file on which a pool worker died
CRASH_DETAIL = "The document made the reader stop unexpectedly"
#: seconds a batch worker may take to load the libraries, not counted in any file's deadline
DEFAULT_START_TIMEOUT_S = 120.0
#: a batch worker holding this much more resident memory than when it started is replaced
RECYCLE_GROWTH_KB = 64 * 1024


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


# --- batch worker (a long-lived child) ------------------------------------------------------------

#: test hook, read only when set: ``hang:NAME`` sleeps and ``crash:NAME`` segfaults on file NAME
FAULT_ENV = "MAPDOCS_ISOLATED_FAULT"


def _vm_hwm_kb(pid: int | str = "self", field: str = "VmHWM") -> int:
    """Peak (``VmHWM``) or current (``VmRSS``) resident memory in KiB, 0 where ``/proc`` is missing."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith(f"{field}:"):
                return int(row.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _reset_peak() -> bool:
    """Reset this process's ``VmHWM`` to its current RSS (Linux ``clear_refs`` 5), so a peak is per file."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _release_memory() -> None:
    """Hand memory freed by the last file back to the system (``gc``, glibc ``malloc_trim``).

    Otherwise the allocator keeps it resident, and since a reset peak cannot drop below the
    resident size, the next file's figure would carry the last one's.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _children_peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def _fault(name: str) -> None:
    """Misbehave on a named file, for the pool's tests: nothing happens unless FAULT_ENV is set."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    for item in spec.split(","):
        kind, _sep, target = item.partition(":")
        if target == name and kind == "hang":
            time.sleep(3600)
        elif target == name and kind == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)


def serve(memory_mb: int) -> int:
    """The ``--batch`` worker: one JSON request a line on stdin, one outcome line per file on stdout.

    Request: ``{"file", "password"?, "panel"?, "full"?}`` (the password travels here, never on
    argv). The interpreter and the libraries load once, which is the point: a fresh worker per
    file spends more time importing than most files take. Before each file the address-space cap
    is set again at the current size plus ``memory_mb`` and the peak-RSS counter is reset, so the
    cap and the ``peak_rss_kb`` figure are per file. Stdout is kept for the protocol alone: fd 1
    is pointed at stderr, so whatever a library prints cannot corrupt a line.
    """
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    preload()
    protocol.write(json.dumps({"ready": True}) + "\n")
    protocol.flush()
    while raw := sys.stdin.readline():
        request = json.loads(raw)
        path = Path(request["file"])
        ctx = ExtractionContext(password=request.get("password") or None, panel=request.get("panel"))
        _fault(path.name)
        _release_memory()
        limit_memory(memory_mb)
        reset = _reset_peak()
        children_before = _children_peak_kb()
        line = outcome(path, ctx, full=bool(request.get("full")))
        peak = _vm_hwm_kb() if reset else int(line["peak_rss_kb"])  # else the lifetime peak: an upper bound
        children_after = _children_peak_kb()
        if children_after > children_before:  # a helper (pdftotext, tesseract) set a new peak in this file
            peak = max(peak, children_after)
        line["peak_rss_kb"] = peak
        protocol.write(json.dumps(line, ensure_ascii=False) + "\n")
        protocol.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extractors.isolated",
                                     description="Extract one file and print one JSON line.")
    parser.add_argument("file", type=Path, nargs="?")
    parser.add_argument("--batch", action="store_true",
                        help="serve one JSON request per stdin line, one JSON line per file on stdout")
    parser.add_argument("--panel")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the document password from the first line of stdin")
    parser.add_argument("--full", action="store_true",
                        help="also print record, confidence, provenance and issues")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help="address space in MiB the extraction may add to the loaded libraries "
                             "(0 = no cap)")
    args = parser.parse_args(argv)
    if args.batch:
        return serve(args.memory_mb)
    if args.file is None:
        parser.error("FILE is required without --batch")
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
    """What became of one worker: its line (None if killed or dead), exit code, peak memory.

    ``crashed`` is set by :class:`WorkerPool` for a worker that died on the file (a segfault in a
    parser), which is reported as ``damaged-document``; a single-file worker that dies without
    its line stays the generic slug.
    """

    file: str
    line: dict[str, Any] | None
    killed: bool
    exit_code: int
    peak_rss_kb: int
    seconds: float
    stderr: str
    crashed: bool = False

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
        elif self.crashed:
            error = {"type": DamagedDocument.slug, "detail": CRASH_DETAIL}
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


# --- pool of long-lived batch workers (the parent) ------------------------------------------------


class _BatchWorker:
    """One ``--batch`` child in its own process group, started lazily, replaced after any trouble.

    Its stderr goes to an append-only temporary file that the parent reads with ``pread``, so
    each file gets exactly the stderr written while it was being read. The worker's peak figure
    is reset before each file but cannot drop below what the process still holds, so a worker
    that kept more than ``RECYCLE_GROWTH_KB`` after a file is replaced: later files' figures are
    then inflated by at most that much, never by an earlier file's whole peak.
    """

    def __init__(self, memory_mb: int, start_timeout: float) -> None:
        self._memory_mb = memory_mb
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._err_fd = -1
        self._eof = False
        self._base_rss_kb = 0

    def _start(self) -> subprocess.Popen[bytes]:
        if self._err_fd >= 0:  # the previous worker's stderr
            os.close(self._err_fd)
        argv = [sys.executable, "-m", "extractors.isolated", "--batch", "--memory-mb", str(self._memory_mb)]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_REPO), env.get("PYTHONPATH")]))
        self._err_fd, err_path = tempfile.mkstemp(prefix="mapdocs-worker-", suffix=".err")
        child_err = os.open(err_path, os.O_WRONLY | os.O_APPEND)
        Path(err_path).unlink()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=child_err,
                                    env=env, start_new_session=True)
        finally:
            os.close(child_err)
        self._proc, self._buffer, self._eof = proc, b"", False
        ready = self._read_line(time.monotonic() + self._start_timeout)
        self._base_rss_kb = _vm_hwm_kb(proc.pid, "VmRSS")
        if ready is None:
            stderr = self._stderr(0)
            self.stop()
            detail = "the extraction worker did not start" + (
                f": {stderr.strip().splitlines()[-1]}" if stderr.strip() else "")
            raise ExtractionError(detail)
        return proc

    def _read_line(self, deadline: float) -> bytes | None:
        """The child's next stdout line; None at the deadline or at end of file (it died)."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _w, _x = select.select([fd], [], [], remaining)
            if not readable:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                self._eof = True
                return None
            self._buffer += chunk
        line, _sep, self._buffer = self._buffer.partition(b"\n")
        return line

    def _stderr(self, offset: int) -> str:
        size = os.fstat(self._err_fd).st_size
        return os.pread(self._err_fd, max(size - offset, 0), offset).decode("utf-8", "replace")

    def extract(self, path: Path, *, password: str | None, panel: str | None, full: bool,
                timeout: float) -> WorkerOutcome:
        """Send one file; kill the worker's process group if its line is not back by ``timeout`` s."""
        proc = self._proc if self._proc is not None and self._proc.poll() is None else self._start()
        assert proc.stdin is not None
        offset = os.fstat(self._err_fd).st_size
        request = {"file": str(path), "password": password, "panel": panel, "full": full}
        started = time.monotonic()
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.flush()
            raw = self._read_line(started + timeout)
        except BrokenPipeError:
            raw = None
        seconds = time.monotonic() - started
        line: dict[str, Any] | None = None
        if raw is not None:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                line = None
        if line is not None:
            stderr = self._stderr(offset)
            error = line.get("error")
            # a MemoryError may leave the heap in a state the next file should not inherit; and memory
            # the allocator kept after a big file would count in every later file's peak
            grown = _vm_hwm_kb(proc.pid, "VmRSS") - self._base_rss_kb > RECYCLE_GROWTH_KB
            if grown or (error is not None and error.get("type") == ResourceLimitExceeded.slug):
                self.stop()
            return WorkerOutcome(file=path.name, line=line, killed=False, exit_code=0,
                                 peak_rss_kb=int(line.get("peak_rss_kb", 0)), seconds=seconds, stderr=stderr)
        if self._eof:  # the child closed its stdout: it is dying, give it a moment to be reaped
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        alive = proc.poll() is None
        peak = _vm_hwm_kb(proc.pid) if alive else 0
        exit_code = self.stop()
        return WorkerOutcome(file=path.name, line=None, killed=alive, exit_code=exit_code, peak_rss_kb=peak,
                             seconds=seconds, stderr=self._stderr(offset), crashed=not alive)

    def stop(self) -> int:
        """Kill the worker's process group (it may have helpers running) and reap it; its exit code."""
        proc, self._proc = self._proc, None
        if proc is None:
            return 0
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(BrokenPipeError):
                    stream.close()
        return code

    def close(self) -> None:
        self.stop()
        if self._err_fd >= 0:
            os.close(self._err_fd)
            self._err_fd = -1


class WorkerPool:
    """N long-lived batch workers, each fed one file at a time, with the single-file guarantees.

    Per file: a deadline (the worker's process group is killed and a fresh worker started:
    ``extraction-timeout``), the address-space cap (``resource-limit-exceeded``, after which the
    worker is replaced too), a peak-memory figure, and a specific outcome if the worker dies
    (``damaged-document``). Start-up is not counted in a file's deadline. Use as a context
    manager; :meth:`extract` and :meth:`map` may be called from several threads.
    """

    def __init__(self, workers: int = 2, *, timeout: float = DEFAULT_TIMEOUT_S,
                 memory_mb: int = DEFAULT_MEMORY_MB, start_timeout: float = DEFAULT_START_TIMEOUT_S) -> None:
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.timeout = timeout
        self._workers = [_BatchWorker(memory_mb, start_timeout) for _ in range(workers)]
        self._idle: queue.SimpleQueue[_BatchWorker] = queue.SimpleQueue()
        for worker in self._workers:
            self._idle.put(worker)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def extract(self, path: Path, *, password: str | None = None, panel: str | None = None,
                full: bool = False) -> WorkerOutcome:
        """Extract one file on the next idle worker."""
        worker = self._idle.get()
        try:
            return worker.extract(path, password=password, panel=panel, full=full, timeout=self.timeout)
        finally:
            self._idle.put(worker)

    def map(self, paths: Iterable[Path], *, panel: str | None = None,
            full: bool = False) -> list[WorkerOutcome]:
        """Extract every path, as many at a time as there are workers; outcomes in input order."""
        with ThreadPoolExecutor(max_workers=len(self._workers)) as threads:
            return list(threads.map(lambda path: self.extract(path, panel=panel, full=full), paths))

    def close(self) -> None:
        for worker in self._workers:
            worker.close()


def run_many(paths: Iterable[Path], *, workers: int = 2, timeout: float = DEFAULT_TIMEOUT_S,
             memory_mb: int = DEFAULT_MEMORY_MB, panel: str | None = None,
             full: bool = False) -> list[WorkerOutcome]:
    """Extract every path through a :class:`WorkerPool` of ``workers`` batch workers."""
    with WorkerPool(workers, timeout=timeout, memory_mb=memory_mb) as pool:
        return pool.map(paths, panel=panel, full=full)


if __name__ == "__main__":
    sys.exit(main())
