"""Load on the dashboard: 50 concurrent connections for 30 s on loopback.

Each case starts the dashboard (uvicorn, one worker, as ``socmob serve``) on a free
loopback port, warms it with one request, then runs an async HTTP client (httpx) with 50
connections for 30 s against one endpoint, and records the number of requests, errors
(non-200 answers or failed connections), throughput and the p50/p99 latency in
``bench/results/web_load.json`` (the ``check`` of each case). The baseline is a static
file served by the same app in the same run. Traffic goes to 127.0.0.1 only; each case
stops by itself after its time or its request budget.
"""

from __future__ import annotations

import asyncio
import multiprocessing.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import Benchmark

REPO = Path(__file__).resolve().parents[1]
CONNECTIONS = 50
DURATION_S = 30.0
MAX_REQUESTS = 500_000
ENDPOINTS = {
    "static_file": "/static/js/socmob.js",
    "area_page": "/areas/cambridgeshire_cc",
    "map_data": "/api/map?index=ci1",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> dict[str, Any]:
    """Start the dashboard and wait until it answers (untimed setup)."""
    import httpx

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "socmob.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log"],
        cwd=REPO, env={**os.environ, "SOCMOB_SECRET_KEY": "bench"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    multiprocessing.util.Finalize(None, proc.terminate, exitpriority=10)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("the dashboard did not start")
    for path in ENDPOINTS.values():  # warm caches (area profile, map)
        httpx.get(url + path, timeout=300)
    return {"url": url, "proc": proc}


async def _load(url: str, *, connections: int, duration: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}
    sent = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    stop_at = time.perf_counter() + duration

    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        async def worker() -> None:
            nonlocal errors, sent
            while time.perf_counter() < stop_at and sent < MAX_REQUESTS:
                sent += 1
                start = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    kind = "" if response.status_code == 200 else f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                latencies.append(time.perf_counter() - start)
                if kind:
                    errors += 1
                    kinds[kind] = kinds.get(kind, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(q: float) -> float | None:
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2)

    return {"requests": len(latencies), "errors": errors, "error_kinds": kinds,
            "seconds": round(elapsed, 2),
            "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "connections": connections}


def _case(name: str) -> Any:
    def run(state: dict[str, Any]) -> dict[str, Any]:
        return asyncio.run(_load(state["url"] + ENDPOINTS[name], connections=CONNECTIONS,
                                 duration=DURATION_S))
    return run


def _skip() -> str | None:
    try:
        import httpx  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return "httpx or uvicorn is not installed"
    return None


BENCHMARKS = [
    Benchmark(
        name="web_load",
        description=f"dashboard under load: {CONNECTIONS} connections for {DURATION_S:.0f} s "
                    "on the area page and the map data endpoint (baseline: a static file)",
        cases={name: _case(name) for name in ENDPOINTS},
        baseline="static_file",
        setup=start_server,
        repeat=1,
        params={"connections": CONNECTIONS, "duration_s": DURATION_S,
                "endpoints": ENDPOINTS, "server": "uvicorn, 1 worker", "client": "httpx"},
        skip_reason=_skip,
    ),
]
