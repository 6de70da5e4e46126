"""What the applications benchmarks share: a database, a gunicorn server and a bounded async load."""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
SETTINGS = "bench.portal.settings"  # the product's settings plus the bare view at /bench/bare
PG = ["-h", "127.0.0.1", "-U", "postgres"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def darcha(*args: str) -> None:
    subprocess.run([PY, "-m", "darcha.cli", *args], cwd=ROOT, check=True, capture_output=True, text=True)


@contextmanager
def redis_server():
    """A throw-away Redis on 127.0.0.1 without persistence; yields its URL."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def environment(db_name: str, *, create: bool, drop: bool, redis_url: str = ""):
    """Points this process (and the servers it starts) at ``db_name`` on 127.0.0.1 and at
    ``redis_url`` when given (cache and sessions, as in production); creates the database
    (migrated, with the demo data) when asked and drops it at the end when asked."""
    data_dir = tempfile.mkdtemp(prefix="darcha-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DARCHA_DATA_DIR=data_dir,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        DARCHA_REDIS_URL=redis_url,
    )
    os.environ.pop("DARCHA_DEBUG", None)
    if create:
        subprocess.run(["createdb", *PG, db_name], check=True)
    try:
        if create:
            darcha("manage", "migrate", "--noinput")
            darcha("seed")
        import django

        django.setup()
        yield os.environ["DATABASE_URL"]
    finally:
        from django.db import connections

        connections.close_all()
        if drop:
            subprocess.run(["dropdb", *PG, "--if-exists", db_name], check=False)
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def gunicorn(workers: int, threads: int = 1):
    """The product's WSGI app under gunicorn on 127.0.0.1; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "bench.portal.wsgi:application",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


PROCESS_KINDS = (("gunicorn", "web"), ("postgres", "postgresql"), ("redis-server", "redis"))


def _cpu_ticks_by_kind() -> dict[str, int]:
    """CPU time (clock ticks, user + system) of the machine's web, PostgreSQL and Redis
    processes, summed by kind, from /proc; this process (the load generator) as "client"."""
    ticks: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended
        kind = "client" if int(stat.parent.name) == os.getpid() else None
        kind = kind or next((k for marker, k in PROCESS_KINDS if marker in command), None)
        if kind:
            ticks[kind] = ticks.get(kind, 0) + int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


class CpuMeter:
    """CPU spent by each kind of process while the block runs: where the two cores went.
    Processes that start or end inside the block count only for what /proc shows at its ends."""

    def __enter__(self):
        self.before = _cpu_ticks_by_kind()
        return self

    def __exit__(self, *exc):
        after = _cpu_ticks_by_kind()
        hertz = os.sysconf("SC_CLK_TCK")
        self.seconds = {
            kind: round((after[kind] - self.before.get(kind, 0)) / hertz, 2) for kind in sorted(after)
        }

    def per_item_ms(self, items: int) -> dict[str, float]:
        """Milliseconds of CPU per item (per submission) by kind of process, and in all."""
        each = {kind: round(seconds * 1000 / max(items, 1), 2) for kind, seconds in self.seconds.items()}
        return {**each, "all": round(sum(each.values()), 2)}


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (nearest rank)."""
    ordered = sorted(latencies)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}

    def rank(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99)}


async def drive(
    operation: Callable[[int, int], Awaitable[bool]], *, count: int, concurrency: int, max_seconds: float
) -> dict:
    """Runs ``operation(worker, i)`` for i < count from ``concurrency`` workers, stopping at
    ``max_seconds``; an operation returns whether it succeeded. Throughput counts successes."""
    started = time.perf_counter()
    stop_at = started + max_seconds
    latencies: list[float] = []
    failures = 0
    next_index = 0

    async def worker(w: int) -> None:
        nonlocal next_index, failures
        while next_index < count and time.perf_counter() < stop_at:
            i, next_index = next_index, next_index + 1
            t0 = time.perf_counter()
            ok = await operation(w, i)
            if ok:
                latencies.append(time.perf_counter() - t0)
            else:
                failures += 1

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "done": len(latencies),
        "failed": failures,
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": percentiles(latencies),
    }
