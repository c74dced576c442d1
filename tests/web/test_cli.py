"""``socmob serve`` and ``socmob briefing`` through the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner()


def test_serve_is_registered():
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output


def test_briefing_html(tmp_path, needs_data):
    out = tmp_path / "glasgow.html"
    result = runner.invoke(app, ["briefing", "Glasgow City", "--format", "html",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Glasgow City: social mobility briefing" in text
    assert "Open Government Licence v3.0" in text


def test_briefing_unknown_area_fails_cleanly(tmp_path, needs_data):
    out = tmp_path / "nowhere.pdf"
    result = runner.invoke(app, ["briefing", "Atlantis", "--out", str(out)])
    assert result.exit_code == 2
    assert "Atlantis" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_serve_workers_share_one_csrf_secret(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(k))
    monkeypatch.delenv("SOCMOB_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["serve", "--workers", "3", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls[0]["workers"] == 3 and calls[0]["access_log"] is False
    import os

    key = os.environ.get("SOCMOB_SECRET_KEY")  # made once here, inherited by each worker
    assert key and len(key) >= 32
    monkeypatch.setenv("SOCMOB_SECRET_KEY", "chosen")
    runner.invoke(app, ["serve", "--workers", "2"])
    assert os.environ["SOCMOB_SECRET_KEY"] == "chosen"  # an operator's key is kept
