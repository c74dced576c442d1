"""The dashboard under load, measured with ``wrk`` (Debian package) on loopback.

One case, one real server: it starts ``socmob serve`` (uvicorn, one worker) on a free
loopback port and measures

* **time to ready**: from the start of the process until ``/readyz`` answers 200 (every
  analysis of the embedded data computed, the chart renderer started);
* **first area page**: the wall time of the first ``GET /areas/blackpool`` after that;
* then, for every page type and API answer and for a static file served by the same
  server (the baseline), ``wrk -t2 -c50 -d30s --latency`` with a browser's
  ``Accept-Encoding``: requests, requests/s, p50, p99, errors (socket errors and non-2xx
  answers), and each URL's p99 and throughput relative to the static file.

Goals: p99 < 100 ms and 0 errors for every URL; first area page < 1 s after ready; ready
< 10 s after start. The results go to ``bench/results/web_load.json`` (the ``check`` of
the case); ``machine.load_before`` records what else the machine was doing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import Benchmark

REPO = Path(__file__).resolve().parents[1]
CONNECTIONS = 50
THREADS = 2
DURATION_S = 30
ACCEPT_ENCODING = "gzip, deflate, br"
FIRST_AREA = "/areas/blackpool"
BASELINE = "static_file"

#: Every page type and API answer of the dashboard (one address each), and the baseline.
URLS: dict[str, str] = {
    BASELINE: "/static/js/socmob.js",
    "home": "/",
    "map": "/map?index=ci1",
    "map_geometry": "/geo/areas.json",
    "map_csv": "/map.csv?index=ci1",
    "areas": "/areas",
    "area_page": "/areas/cambridgeshire_cc",
    "area_csv": "/areas/cambridgeshire_cc/data/uncertainty.csv",
    "briefing_html": "/areas/cambridgeshire_cc/briefing.html",
    "briefing_pdf": "/areas/cambridgeshire_cc/briefing.pdf",
    "compare": "/compare?areas=blackpool&areas=cambridgeshire_cc&areas=glasgow_city",
    "compare_csv": "/compare.csv?areas=blackpool&areas=cambridgeshire_cc",
    "national_csv": "/national/mo11.csv",
    "explorer": "/explorer",
    "explorer_table": "/explorer?table=hazelrigg_garnier1976_16c_3x3x16&model=unidiff",
    "employers": "/employers",
    "questionnaire_csv": "/employers/questionnaire.csv",
    "methods": "/methods",
    "accessibility": "/accessibility",
    "api_areas": "/api/areas",
    "api_indices": "/api/indices",
    "api_map": "/api/map?index=ci1",
    "api_map_spec": "/api/map/spec?index=ci1",
    "api_national": "/api/national",
    "api_area": "/api/areas/cambridgeshire_cc",
    "api_area_questions": "/api/areas/cambridgeshire_cc/questions",
    "api_compare": "/api/compare?areas=blackpool&areas=glasgow_city",
    "openapi": "/api/openapi.json",
    "area_search": "/areas?q=fenland",
    "indicators": "/indicators",
    "indicator_page": "/indicators/dr32",
    "api_indicators": "/api/indicators",
    "api_indicator": "/api/indicators/dr32",
    "barometer": "/barometer",
    "api_barometer": "/api/barometer/demo",
    "assess": "/assess",
    "employers_maturity": "/employers/maturity",
    "employers_template": "/employers/template.csv",
}
#: Pages measured too when the server has them (none now: every part has landed).
OPTIONAL_URLS: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 60.0) -> tuple[int, float]:
    import httpx

    start = time.perf_counter()
    status = httpx.get(url, timeout=timeout, headers={"accept-encoding": ACCEPT_ENCODING}
                       ).status_code
    return status, time.perf_counter() - start


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def parse_wrk(text: str) -> dict[str, Any]:
    """Requests, requests/s, p50/p99 (ms) and errors from ``wrk --latency`` output."""
    out: dict[str, Any] = {}
    for pct in ("50", "75", "90", "99"):
        found = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}_ms"] = round(_ms(found.group(1)), 3) if found else None
    found = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    out["requests"] = int(found.group(1)) if found else 0
    found = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["requests_per_s"] = float(found.group(1)) if found else 0.0
    socket_errors = 0
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                      text)
    if found:
        socket_errors = sum(int(g) for g in found.groups())
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    non_2xx = int(found.group(1)) if found else 0
    out.update(socket_errors=socket_errors, non_2xx=non_2xx, errors=socket_errors + non_2xx)
    return out


def _wrk(url: str) -> dict[str, Any]:
    done = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency",
         "-H", f"Accept-Encoding: {ACCEPT_ENCODING}", url],
        capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_all(state: Any = None) -> dict[str, Any]:
    """Start the server, time it to ready and to the first area page, then load every
    URL with wrk; stop the server."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SOCMOB_SECRET_KEY": "bench"}
    load_before = _load()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*_socmob(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready_s = None
        while time.perf_counter() - started < 300:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode}")
            try:
                if _get(base + "/readyz", timeout=2)[0] == 200:
                    ready_s = time.perf_counter() - started
                    break
            except Exception:  # not listening yet
                pass
            time.sleep(0.05)
        if ready_s is None:
            raise RuntimeError("the server was not ready within 300 s")
        status, first_area_s = _get(base + FIRST_AREA)
        assert status == 200, status
        urls = dict(URLS)
        for name, path in OPTIONAL_URLS.items():
            if _get(base + path)[0] == 200:
                urls[name] = path
        results: dict[str, Any] = {}
        for name, path in urls.items():
            status, first_s = _get(base + path)  # its first answer (made, then kept)
            measured = _wrk(base + path)
            measured.update(url=path, first_status=status, first_answer_s=round(first_s, 3),
                            load_after=_load())
            results[name] = measured
            print(f"    {name}: p50 {measured['p50_ms']} ms, p99 {measured['p99_ms']} ms, "
                  f"{measured['requests_per_s']:.0f}/s, errors {measured['errors']}",
                  flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    static = results[BASELINE]
    for measured in results.values():
        measured["p99_ratio_to_static"] = (round(measured["p99_ms"] / static["p99_ms"], 3)
                                           if static["p99_ms"] else None)
        measured["throughput_ratio_to_static"] = (
            round(measured["requests_per_s"] / static["requests_per_s"], 3)
            if static["requests_per_s"] else None)
        measured["meets_goal"] = (measured["p99_ms"] is not None
                                  and measured["p99_ms"] < 100 and measured["errors"] == 0)
    worst = max(results, key=lambda n: results[n]["p99_ms"] or 0.0)
    return {
        "ready_s": round(ready_s, 3),
        "first_area_page_s": round(first_area_s, 3),
        "first_area_page": FIRST_AREA,
        "load_before": load_before,
        "worst_p99": {"url": results[worst]["url"], "p99_ms": results[worst]["p99_ms"]},
        "all_meet_goal": all(m["meets_goal"] for m in results.values()),
        "urls": results,
    }


def _socmob() -> list[str]:
    script = Path(sys.executable).with_name("socmob")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from socmob.cli import main; main()"]


def _skip() -> str | None:
    if shutil.which("wrk") is None:
        return "wrk is not installed (Debian package wrk)"
    try:
        import httpx  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return "httpx or uvicorn is not installed"
    return None


BENCHMARKS = [
    Benchmark(
        name="web_load",
        description=f"dashboard with wrk: time to ready, first area page, then every page "
                    f"and API answer at {CONNECTIONS} connections for {DURATION_S} s "
                    "(baseline: a static file on the same server)",
        cases={"socmob_serve": run_all},
        baseline="socmob_serve",
        repeat=1,
        params={"connections": CONNECTIONS, "threads": THREADS, "duration_s": DURATION_S,
                "server": "socmob serve (uvicorn, 1 worker)", "client": "wrk",
                "accept_encoding": ACCEPT_ENCODING, "baseline_url": URLS[BASELINE],
                "goals": {"p99_ms": 100, "errors": 0, "first_area_page_s": 1.0,
                          "ready_s": 10.0}},
        skip_reason=_skip,
    ),
]
