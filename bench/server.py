"""Start a real ``mapdocs serve`` (and, for S3, a throw-away SeaweedFS) for a benchmark.

Everything runs on 127.0.0.1 on free ports with a temporary data directory, and is
stopped when the ``with`` block ends, so a benchmark leaves nothing running behind.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "mapdocs-bench"


class BenchSetupError(RuntimeError):
    """The service or SeaweedFS could not be started; the message carries the log tail."""


@dataclass
class RunningService:
    base_url: str
    token: str
    backend: str
    process: subprocess.Popen[bytes]
    log: Path

    def check_alive(self) -> None:
        """Raise with the server's log when ``mapdocs serve`` has exited under load.

        A crash shows faulthandler's stack of the thread that crashed ("Current thread");
        any other exit shows the log's tail.
        """
        if self.process.poll() is None:
            return
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        start = text.find("Current thread")
        excerpt = "\n".join(text[start:].splitlines()[:30]) if start >= 0 else _tail(self.log, 30)
        raise BenchSetupError(
            f"mapdocs serve ({self.backend}) exited with {self.process.returncode} during the run:\n{excerpt}"
        )


def mapdocs_command() -> str:
    beside = Path(sys.executable).parent / "mapdocs"
    found = str(beside) if beside.is_file() else shutil.which("mapdocs")
    if not found:
        raise BenchSetupError("the mapdocs command is not installed: run `bash .ci/setup test` first")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seaweed_module() -> ModuleType:
    """``tests/storage/seaweed.py``, loaded by path: tests/ is not an installed package."""
    path = ROOT / "tests" / "storage" / "seaweed.py"
    spec = importlib.util.spec_from_file_location("mapdocs_bench_seaweed", path)
    if spec is None or spec.loader is None:
        raise BenchSetupError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def seaweedfs(workdir: Path) -> Iterator[dict[str, str]]:
    """A SeaweedFS S3 gateway with one bucket; yields the service's S3 settings."""
    seaweed = _seaweed_module()
    server = seaweed.start_seaweedfs(workdir / "seaweedfs")
    try:
        server.client().create_bucket(Bucket=BUCKET)
        yield {
            "MAPDOCS_STORAGE_URL": f"s3://{BUCKET}/originals",
            "MAPDOCS_S3_ENDPOINT_URL": server.endpoint_url,
            "MAPDOCS_S3_REGION": server.region,
            "MAPDOCS_S3_ACCESS_KEY_ID": server.access_key,
            "MAPDOCS_S3_SECRET_ACCESS_KEY": server.secret_key,
        }
    finally:
        server.stop()


def _explicit_secrets() -> dict[str, str]:
    """A deployment with a configured storage URL must be given its three secrets."""
    return {
        "MAPDOCS_SECRET_KEY": secrets.token_urlsafe(32),
        "MAPDOCS_ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        "MAPDOCS_KEY_SECRET": secrets.token_urlsafe(32),
    }


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.splitlines()[-15:])
        raise BenchSetupError(f"{what} failed with exit {done.returncode}:\n{tail}")
    return done.stdout


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchSetupError(f"mapdocs serve exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise BenchSetupError(f"mapdocs serve did not answer /readyz within {timeout:.0f}s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def mapdocs_service(workdir: Path, backend: str, database_url: str | None = None,
                    threads: int | None = None) -> Iterator[RunningService]:
    """Migrate, create a triage user, start ``mapdocs serve`` and wait for ``/readyz``."""
    mapdocs = mapdocs_command()
    with contextlib.ExitStack() as stack:
        env = {key: value for key, value in os.environ.items() if not key.startswith("MAPDOCS_")}
        env["MAPDOCS_DATA_DIR"] = str(workdir / "data")
        env["PYTHONFAULTHANDLER"] = "1"  # a crash under load leaves its Python stack in the log
        if database_url:
            env["MAPDOCS_DATABASE_URL"] = database_url
        if backend == "s3":
            env.update(stack.enter_context(seaweedfs(workdir)))
        if database_url or backend == "s3":
            env.update(_explicit_secrets())
        _run([mapdocs, "db", "upgrade"], env, "mapdocs db upgrade")
        token = _run([mapdocs, "users", "create", "bench-triage", "--role", "triage"], env,
                     "mapdocs users create").strip()
        port = free_port()
        log = workdir / f"serve-{backend}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(  # noqa: S603 - fixed argv
                [mapdocs, "serve", "--host", "127.0.0.1", "--port", str(port),
                 *(["--threads", str(threads)] if threads else [])],
                env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        stack.callback(_stop, process)
        base_url = f"http://127.0.0.1:{port}"
        _wait_ready(base_url, process, log, timeout=60)
        yield RunningService(base_url=base_url, token=token, backend=backend, process=process, log=log)
