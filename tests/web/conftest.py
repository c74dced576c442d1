"""Fixtures for the web tests: an in-process client, and for browser tests one uvicorn
server and one headless Debian Chromium per session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: The WCAG 2.2 AA rules axe-core checks on every page.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, name: str | None = None) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on ``page`` once it is idle (each with its id,
    impact, help and up to five nodes); with ``name``, the page's full screenshot and
    the violations are written to ``test-artifacts/web/{name}.png`` and ``.axe.json``.
    Skips the test where axe-core is not installed. Injected through the DevTools
    protocol, so the page's CSP needs no exception."""
    import json

    if not AXE.exists():
        pytest.skip("node_modules/axe-core is absent: run scripts/build_web_assets.sh")
    page.wait_for_load_state("networkidle")
    if name:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""", AXE_TAGS)
    if name:
        (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(violations, indent=2))
    return violations



def check_page(page, name: str) -> None:
    """Screenshot the page and run axe-core on it (``axe_violations``); fail on any
    violation, whatever its impact."""
    import json

    violations = axe_violations(page, name)
    assert not violations, f"{name}: axe-core found {json.dumps(violations, indent=2)}"

def data_available() -> bool:
    """Whether the embedded data (socmob.data's packaged files) is there to show."""
    from socmob.data import data_dir

    return all((data_dir() / name).is_file() for name in (
        "composites.parquet", "registry.parquet", "boundaries_areas.parquet",
        "indicators.parquet"))


@pytest.fixture(scope="session")
def app():
    from socmob.web.app import create_app
    from socmob.web.settings import Settings

    return create_app(Settings(secret_key="test-secret", max_upload_bytes=200_000,
                               max_upload_rows=2_000, warm=False))


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def needs_data():
    if not data_available():
        pytest.skip("socmob.data (the embedded dataset) is not available")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server():
    """A uvicorn server on a free loopback port, for the browser and schema tests."""
    port = _free_port()
    env = {**os.environ, "SOCMOB_SECRET_KEY": "browser-test-secret",
           "SOCMOB_MAX_UPLOAD_BYTES": "2000000"}
    log = (REPO / "test-artifacts").joinpath("web-server.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "socmob.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the web server exited with code {proc.returncode}; see {log}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the web server did not start within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        handle.close()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (Debian package chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900},
                                  accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
