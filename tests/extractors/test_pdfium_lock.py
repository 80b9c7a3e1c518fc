"""PDFium is not thread-safe: concurrent PDF reads in one process must not crash it.

The web process inspects uploads on several threads; before the lock, two threads in
PDFium at once segfaulted the service. The run happens in a child process so that a
crash fails this test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from extractors.pdfium_lock import PDFIUM_LOCK, pdfium_guard
from tests.extractors.pdf_builders import pdf_bytes

CHILD = textwrap.dedent("""
    import sys, threading
    from extractors import pipeline
    from extractors.errors import ExtractionError
    data = open(sys.argv[1], "rb").read()
    failures = []
    def work():
        for _ in range(15):
            try:
                pipeline.inspect(data)
                pipeline.extract(data)
            except ExtractionError:
                pass
            except Exception as exc:  # anything else is a bug worth seeing
                failures.append(type(exc).__name__)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("failures", failures)
    sys.exit(1 if failures else 0)
""")


def test_threads_reading_pdfs_at_once_do_not_crash(tmp_path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf_bytes(lambda c: c.drawString(72, 720, "Child's name  Strengths  Needs")))
    run = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"exit {run.returncode}: {run.stdout[-500:]}"


def test_the_guard_locks_pdfs_only() -> None:
    with pdfium_guard("application/pdf"):
        assert PDFIUM_LOCK._is_owned()  # type: ignore[attr-defined]
    with pdfium_guard("image/png"):
        assert not PDFIUM_LOCK._is_owned()  # type: ignore[attr-defined]
