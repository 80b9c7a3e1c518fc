"""DOCX -> PDF through LibreOffice, kept warm.

A cold ``soffice --convert-to pdf`` costs ~1.8 s per file here; a warm LibreOffice 0.25 s,
and two warm ones fed in parallel 0.14 s per document. :class:`DocxToPdfConverter` keeps
1-2 warm instances as child processes (``renderers/uno_bridge.py`` under Debian's
``/usr/bin/python3``, which has ``python3-uno``), each talking XML-RPC on a loopback port it
chose itself. Instances start on first use, are checked before use after sitting idle,
restarted when they die, and killed and restarted when a conversion overruns its time
limit (:class:`ConversionTimeout`). If no warm instance can start at all, conversions fall
back to a cold ``soffice`` per document, logged once.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import logging
import os
import queue
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renderers.errors import ConversionError, ConversionTimeout, ConverterUnavailable

log = logging.getLogger(__name__)

SYSTEM_PYTHON = "/usr/bin/python3"
BRIDGE = Path(__file__).resolve().with_name("uno_bridge.py")
IDLE_CHECK_AFTER = 30.0  # seconds idle before an instance is pinged before use


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """LibreOffice PDF export settings for one conversion.

    ``tagged`` exports a tagged (structure tree, /MarkInfo Marked) PDF for screen readers,
    which family letters need; ``/Lang`` comes from the document's default language and
    ``/Title`` from the Word file's core-properties title (shown in the window title).
    """

    tagged: bool = False
    pdf_ua: bool = False

    def filter_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ExportBookmarks": True, "ExportNotes": False}
        if self.tagged or self.pdf_ua:
            data.update(UseTaggedPDF=True, DisplayPDFDocTitle=True)
        if self.pdf_ua:
            data["PDFUACompliance"] = True
        return data


TAGGED = PdfOptions(tagged=True)


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


@dataclass
class _Instance:
    """One warm LibreOffice (bridge + soffice in their own process group)."""

    slot: int
    proc: subprocess.Popen[bytes]
    port: int
    root: Path
    last_used: float = field(default_factory=time.monotonic)
    conversions: int = 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def call(self, method: str, *args: Any, timeout: float) -> Any:
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}/RPC2",
                                          transport=_TimeoutTransport(timeout), allow_none=True)
        with proxy:
            return getattr(proxy, method)(*args)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            if self.proc.stdin:
                self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdout,):
            if stream:
                stream.close()
        shutil.rmtree(self.root, ignore_errors=True)


class DocxToPdfConverter:
    """Thread-safe DOCX -> PDF with warm LibreOffice instances and a cold fallback.

    ``convert()`` blocks while every instance is busy; each conversion has ``timeout``
    seconds (overridable per call) before its instance is killed and
    :class:`ConversionTimeout` raised; the next call gets a fresh instance. A conversion
    whose instance died under it (LibreOffice crash) is retried once on a new one. Each
    instance is replaced after ``recycle_after`` conversions. ``warm=False`` always uses a
    cold ``soffice`` per document (no child processes kept).
    """

    def __init__(self, instances: int = 1, timeout: float = 30.0, start_timeout: float = 60.0,
                 soffice: str = "soffice", python: str = SYSTEM_PYTHON, work_dir: Path | None = None,
                 warm: bool = True, recycle_after: int = 500) -> None:
        if not 1 <= instances <= 4:
            raise ValueError("instances must be between 1 and 4")
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.soffice = soffice
        self.python = python
        self.warm = warm
        self.recycle_after = recycle_after
        self._work_parent = work_dir
        self._instances = instances
        self._fallback_logged = False
        self._cold_only = not warm
        self._closed = False
        self._reset()
        atexit.register(self.close)

    def _reset(self) -> None:
        """Fresh, empty pool state (at creation, and in a child after a fork)."""
        self._owner = os.getpid()
        self._work = Path(tempfile.mkdtemp(prefix="mapdocs-lo-", dir=self._work_parent))
        self._idle: queue.Queue[int] = queue.Queue()
        self._slots: dict[int, _Instance | None] = {}
        for slot in range(self._instances):
            self._slots[slot] = None
            self._idle.put(slot)
        self._lock = threading.Lock()

    def _check_fork(self) -> None:
        # A prefork worker (Celery) inherits the parent's pool: those children and ports
        # belong to the parent, so the worker starts its own instances instead.
        if os.getpid() != self._owner:
            self._reset()

    # --- public -------------------------------------------------------------------------------

    def convert(self, docx: bytes, options: PdfOptions | None = None, timeout: float | None = None) -> bytes:
        """Return the PDF for a Word document."""
        if self._closed:
            raise ConverterUnavailable("the document converter has been shut down")
        self._check_fork()
        options = options or PdfOptions()
        limit = self.timeout if timeout is None else timeout
        if self._cold_only:
            return self._convert_cold(docx, options, limit)
        slot = self._idle.get()
        try:
            for attempt in (1, 2):
                instance = self._ready(slot)
                if instance is None:
                    return self._convert_cold(docx, options, limit)
                try:
                    result = instance.call("convert", xmlrpc.client.Binary(docx), options.filter_data(),
                                           timeout=limit)
                except TimeoutError:
                    log.warning("LibreOffice conversion overran %.1f s; restarting instance %d", limit, slot)
                    self._discard(slot)
                    raise ConversionTimeout(
                        f"the document took longer than {limit:g} s to convert; try again") from None
                except xmlrpc.client.Fault as fault:
                    instance.last_used = time.monotonic()
                    raise ConversionError(_fault_reason(fault)) from None
                except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError):
                    self._discard(slot)
                    if attempt == 2:
                        raise ConversionError("LibreOffice stopped while converting the document") from None
                    log.warning("LibreOffice instance %d stopped mid-conversion; retrying on a new one", slot)
                    continue
                instance.last_used = time.monotonic()
                instance.conversions += 1
                if instance.conversions >= self.recycle_after:
                    self._discard(slot)  # LibreOffice grows over thousands of documents
                data: bytes = result.data
                return data
            raise AssertionError("unreachable")
        finally:
            self._idle.put(slot)

    def start(self) -> None:
        """Start every instance now (e.g. at worker start) instead of on first use."""
        self._check_fork()
        slots = [self._idle.get() for _ in self._slots]
        try:
            for slot in slots:
                self._ready(slot)
        finally:
            for slot in slots:
                self._idle.put(slot)

    def pids(self) -> list[int]:
        """Process ids of the running bridge processes (for health pages and tests)."""
        return [inst.proc.pid for inst in self._slots.values() if inst is not None and inst.alive()]

    @property
    def using_fallback(self) -> bool:
        return self._cold_only

    def close(self) -> None:
        """Stop every child process and remove the working folder."""
        if os.getpid() != self._owner:
            return  # the parent's children are the parent's to stop
        with self._lock:
            self._closed = True
            for slot, instance in self._slots.items():
                if instance is not None:
                    instance.kill()
                    self._slots[slot] = None
        shutil.rmtree(self._work, ignore_errors=True)
        atexit.unregister(self.close)

    def __enter__(self) -> DocxToPdfConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- instances ----------------------------------------------------------------------------

    def _ready(self, slot: int) -> _Instance | None:
        """The slot's instance, (re)started or health-checked as needed; None = use cold soffice."""
        instance = self._slots[slot]
        if instance is not None and not instance.alive():
            log.warning("LibreOffice instance %d had stopped; restarting it", slot)
            self._discard(slot)
            instance = None
        if instance is not None and time.monotonic() - instance.last_used > IDLE_CHECK_AFTER:
            try:
                instance.call("ping", timeout=5.0)
                instance.last_used = time.monotonic()
            except (OSError, http.client.HTTPException, xmlrpc.client.Error):
                log.warning("LibreOffice instance %d did not answer; restarting it", slot)
                self._discard(slot)
                instance = None
        if instance is None:
            if self._cold_only:
                return None
            try:
                instance = self._spawn(slot)
            except ConverterUnavailable as exc:
                self._use_fallback(str(exc))
                return None
            with self._lock:
                if self._closed:
                    instance.kill()
                    raise ConverterUnavailable("the document converter has been shut down")
                self._slots[slot] = instance
        return instance

    def _discard(self, slot: int) -> None:
        with self._lock:
            instance, self._slots[slot] = self._slots[slot], None
        if instance is not None:
            instance.kill()

    def _spawn(self, slot: int) -> _Instance:
        if shutil.which(self.soffice) is None:
            raise ConverterUnavailable(f"LibreOffice ({self.soffice}) is not installed")
        if not _has_uno(self.python):
            raise ConverterUnavailable(
                f"{self.python} cannot import uno: install Debian's python3-uno")
        root = Path(tempfile.mkdtemp(prefix=f"slot{slot}-", dir=self._work))
        proc = subprocess.Popen(
            [self.python, str(BRIDGE), "--soffice", self.soffice, "--profile", str(root / "profile"),
             "--work", str(root / "work"), "--start-timeout", str(self.start_timeout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, cwd=root,
        )
        line = _read_line(proc, self.start_timeout + 5)
        if not line.startswith("READY "):
            _Instance(slot, proc, 0, root).kill()
            raise ConverterUnavailable(f"LibreOffice did not start ({line or 'no answer'})")
        log.info("LibreOffice instance %d ready", slot)
        return _Instance(slot, proc, int(line.split()[1]), root)

    def _use_fallback(self, reason: str) -> None:
        with self._lock:
            self._cold_only = True
            if not self._fallback_logged:
                self._fallback_logged = True
                log.warning("warm LibreOffice unavailable (%s); converting with a cold soffice per document",
                            reason)

    # --- cold fallback ------------------------------------------------------------------------

    def _convert_cold(self, docx: bytes, options: PdfOptions, limit: float) -> bytes:
        if shutil.which(self.soffice) is None:
            raise ConverterUnavailable(f"LibreOffice ({self.soffice}) is not installed")
        with tempfile.TemporaryDirectory(dir=self._work) as tmp:
            folder = Path(tmp)
            source = folder / "document.docx"
            source.write_bytes(docx)
            filter_json = json.dumps({key: {"type": "boolean", "value": str(value).lower()}
                                      for key, value in options.filter_data().items()})
            argv = [self.soffice, "--headless", "--norestore", "--nolockcheck",
                    f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--convert-to", f"pdf:writer_pdf_Export:{filter_json}",
                    "--outdir", str(folder / "out"), str(source)]
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True, cwd=folder)
            try:
                proc.wait(timeout=limit + 10)  # a cold start alone costs ~2 s
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise ConversionTimeout(f"the document took longer than {limit:g} s to convert") from None
            target = folder / "out" / "document.pdf"
            if proc.returncode != 0 or not target.is_file():
                raise ConversionError(f"LibreOffice could not convert the document (exit {proc.returncode})")
            return target.read_bytes()


def _fault_reason(fault: xmlrpc.client.Fault) -> str:
    text = str(fault.faultString)
    if "could not open" in text:
        return "LibreOffice could not open the document: is it a valid Word file?"
    return "LibreOffice could not convert the document"


_UNO_CHECKED: dict[str, bool] = {}


def _has_uno(python: str) -> bool:
    if python not in _UNO_CHECKED:
        try:
            done = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30, check=False)
            _UNO_CHECKED[python] = done.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _UNO_CHECKED[python] = False
    return _UNO_CHECKED[python]


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """First line the bridge prints, or "" if it prints nothing in time or exits."""
    assert proc.stdout is not None
    buffer = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                return ""
            chunk = os.read(proc.stdout.fileno(), 256)
            if not chunk:
                break
            buffer += chunk
    return buffer.split(b"\n", 1)[0].decode("ascii", "replace").strip()
