"""Upload throughput and latency: 1 MiB PDFs, concurrent clients, over loopback.

Measures what a practitioner's upload costs end to end: HTTP parsing, media-type
sniffing and inspection, encryption or S3 put, the database rows and (while jobs run
in-process) extraction. Each request sends new bytes so none takes the dedupe path.
"""

from __future__ import annotations

import http.client
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.pdfgen import make_pdf
from bench.server import RunningService, mapdocs_service
from bench.stats import fmt_ms, median, percentile, table, verdict

GOAL_P95_S = 0.150
PANEL = "generic"


@dataclass
class RunResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    #: bytes of the uploads the service acknowledged with 201
    bytes_stored: int = 0
    #: one response body per unexpected status (problem+json: no personal data), for diagnosis
    samples: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else 0.0


def _multipart(payload: bytes, serial: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="panel"\r\n\r\n'
        f"{PANEL}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="bench-{serial}.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + payload + tail, f"multipart/form-data; boundary={boundary}"


def _client(service: RunningService, bodies: list[tuple[bytes, str]], start: threading.Barrier,
            result: RunResult, lock: threading.Lock) -> None:
    url = urlsplit(service.base_url)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    samples: dict[str, str] = {}
    stored = 0
    start.wait()
    try:
        for body, content_type in bodies:
            headers = {"Authorization": f"Bearer {service.token}", "Content-Type": content_type,
                       "Content-Length": str(len(body))}
            began = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/documents", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                status = str(response.status)
                if response.status not in (200, 201):
                    samples.setdefault(status, answer[:300].decode("utf-8", "replace"))
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = type(exc).__name__
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
            if status == "201":
                stored += len(body)
    finally:
        conn.close()
    with lock:
        for status, sample in samples.items():
            result.samples.setdefault(status, sample)
        result.bytes_stored += stored
        result.latencies.extend(latencies)
        for status, count in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + count


def run_once(service: RunningService, clients: int, per_client: int, serial_base: int) -> RunResult:
    """One timed run: ``clients`` threads each send ``per_client`` fresh PDFs back to back."""
    work = [
        [_multipart(make_pdf(serial_base + c * per_client + i), serial_base + c * per_client + i)
         for i in range(per_client)]
        for c in range(clients)
    ]
    result = RunResult()
    start = threading.Barrier(clients + 1)
    lock = threading.Lock()
    threads = [threading.Thread(target=_client, args=(service, bodies, start, result, lock), daemon=True)
               for bodies in work]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - began
    return result


@dataclass
class BackendFigures:
    """Medians over the timed runs of one storage backend."""

    backend: str
    runs: int
    uploads_per_run: int
    created: int
    failed: int
    throughput_per_s: float
    mb_per_s: float
    p50_s: float
    p95_s: float


def bench_backend(backend: str, *, clients: int, per_client: int, runs: int,
                  database_url: str | None, threads: int | None, log: list[str]) -> BackendFigures:
    with tempfile.TemporaryDirectory(prefix=f"mapdocs-bench-{backend}-") as tmp, \
            mapdocs_service(Path(tmp), backend, database_url, threads) as service:
        # warm-up: imports, first database connection, bucket/dirs created lazily
        run_once(service, clients, 1, serial_base=10_000_000)
        service.check_alive()
        results = []
        for run in range(runs):
            result = run_once(service, clients, per_client, serial_base=run * clients * per_client)
            service.check_alive()
            results.append(result)
            log.append(
                f"  {backend} run {run + 1}: {result.ok}/{len(result.latencies)} created, "
                f"{result.throughput:.1f} uploads/s, p50 {fmt_ms(percentile(result.latencies, 50))} ms, "
                f"p95 {fmt_ms(percentile(result.latencies, 95))} ms, "
                f"statuses {dict(sorted(result.statuses.items()))}"
            )
            log.extend(f"    {status}: {sample}" for status, sample in sorted(result.samples.items()))
    return BackendFigures(
        backend=backend,
        runs=runs,
        uploads_per_run=clients * per_client,
        created=sum(r.ok for r in results),
        failed=sum(len(r.latencies) - r.ok for r in results),
        throughput_per_s=median([r.throughput for r in results]),
        mb_per_s=median([r.bytes_stored / r.wall / 1e6 for r in results]),
        p50_s=median([percentile(r.latencies, 50) for r in results]),
        p95_s=median([percentile(r.latencies, 95) for r in results]),
    )


def main(backends: list[str], *, clients: int, per_client: int, runs: int,
         database_url: str | None, threads: int | None = None) -> list[dict[str, object]]:
    rows: list[BackendFigures] = []
    log: list[str] = []
    for backend in backends:
        rows.append(bench_backend(backend, clients=clients, per_client=per_client, runs=runs,
                                  database_url=database_url, threads=threads, log=log))
    print("\n".join(log))
    print()
    served_by = f"{threads} server threads" if threads else "the server's default threads"
    print(f"Upload: 1 MiB PDFs, {clients} concurrent clients, loopback, {served_by}; "
          f"median of {runs} runs of {clients * per_client} uploads")
    print(table(
        ["backend", "uploads/s", "MB/s", "p50 ms", "p95 ms", "goal p95", "", "failed"],
        [[r.backend, f"{r.throughput_per_s:.1f}", f"{r.mb_per_s:.1f}", fmt_ms(r.p50_s), fmt_ms(r.p95_s),
          f"≤ {GOAL_P95_S * 1000:.0f}", "FAILED" if r.failed else verdict(r.p95_s, GOAL_P95_S), str(r.failed)]
         for r in rows],
    ))
    return [asdict(r) for r in rows]
