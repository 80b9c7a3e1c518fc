"""A warm LibreOffice behind a loopback XML-RPC port: the child process the converter manages.

Run by Debian's ``/usr/bin/python3`` (the only interpreter with ``python3-uno``), never
imported by the service. It starts ``soffice --headless`` listening on a private pipe,
connects to it, then serves ``ping()`` and ``convert(docx, filter_data)`` one request at a
time on ``127.0.0.1:<port>`` (port 0 = any free one), printing ``READY <port>`` when it
can take work. It is what unoserver does, minus its fixed seven-second start-up sleep and
its pip install into a helper venv; and it exits as soon as LibreOffice dies or the
parent closes our stdin, so a crash is seen as a dropped connection and the converter
starts a fresh pair. Nothing from the documents is logged.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xmlrpc.client
from pathlib import Path
from typing import Any
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode.NO_UPDATE


def _prop(name: str, value: Any) -> Any:
    return PropertyValue(Name=name, Value=value)


class _Quiet(SimpleXMLRPCRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep request lines out of the logs."""


def _connect(pipe: str, soffice: subprocess.Popen[bytes], deadline: float) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except NoConnectException:
            if soffice.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", default="soffice")
    parser.add_argument("--profile", required=True, help="LibreOffice user profile folder")
    parser.add_argument("--work", required=True, help="folder for the per-request temporary files")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--start-timeout", type=float, default=60.0)
    args = parser.parse_args()

    pipe = f"mapdocs_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    soffice = subprocess.Popen(
        [args.soffice, "--headless", "--invisible", "--nocrashreport", "--nodefault", "--nologo",
         "--nofirststartwizard", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={Path(args.profile).resolve().as_uri()}",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def stop(*_: Any) -> None:
        # soffice is a launcher (oosplash) with soffice.bin under it: when we lead our own
        # process group (the converter starts us so), take the whole group down.
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)
        if soffice.poll() is None:
            soffice.kill()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        desktop = _connect(pipe, soffice, time.monotonic() + args.start_timeout)
    except Exception as exc:  # any UNO failure here means "could not start"
        print(f"FAILED {type(exc).__name__}", flush=True)
        stop()

    def watch_soffice() -> None:
        soffice.wait()
        os._exit(3)

    def watch_parent() -> None:
        sys.stdin.read()
        stop()

    threading.Thread(target=watch_soffice, daemon=True).start()
    threading.Thread(target=watch_parent, daemon=True).start()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    def ping() -> bool:
        desktop.getComponents()
        return True

    def convert(data: Any, filter_data: Any) -> Any:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            source = Path(tmp) / "in.docx"
            target = Path(tmp) / "out.pdf"
            source.write_bytes(data.data)
            # Templates can be uploaded by councils: never run macros, never refresh links
            # (a linked file or URL would be pulled into the PDF).
            doc = desktop.loadComponentFromURL(
                source.as_uri(), "_blank", 0,
                (_prop("Hidden", True), _prop("ReadOnly", True),
                 _prop("MacroExecutionMode", NEVER_EXECUTE), _prop("UpdateDocMode", NO_UPDATE)))
            if doc is None:
                raise ValueError("LibreOffice could not open the document")
            try:
                if hasattr(doc, "getDocumentIndexes"):  # tables of contents get page numbers
                    indexes = doc.getDocumentIndexes()
                    for i in range(indexes.getCount()):
                        indexes.getByIndex(i).update()
                options = uno.Any("[]com.sun.star.beans.PropertyValue",
                                  tuple(_prop(k, v) for k, v in filter_data.items()))
                doc.storeToURL(target.as_uri(), (_prop("FilterName", "writer_pdf_Export"),
                                                 _prop("FilterData", options)))
            finally:
                doc.close(True)
            return xmlrpc.client.Binary(target.read_bytes())

    server = SimpleXMLRPCServer(("127.0.0.1", args.port), requestHandler=_Quiet,
                                allow_none=True, logRequests=False)
    server.register_function(ping)
    server.register_function(convert)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
