"""`lexhub serve` builds the node's app and hands it to uvicorn with the TLS files and the
rate limit asked for. uvicorn itself is replaced: these tests open no socket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from lexhub.cli.app import app
from tests.service.conftest import ApiClient

runner = CliRunner()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(app=app, **kw))
    return calls


def test_serve_runs_the_app_with_tls_and_the_rate_asked_for(
    tmp_path: Path, served: dict[str, Any]
) -> None:
    db = str(tmp_path / "node.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "serve", "--port", "8443", "--node", "north",
                                 "--tls-cert", "c.pem", "--tls-key", "k.pem", "--rate", "2",
                                 "--burst", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "node north: https://127.0.0.1:8443" in result.stdout
    assert (served["port"], served["ssl_certfile"], served["ssl_keyfile"]) == (
        8443,
        "c.pem",
        "k.pem",
    )
    assert served["server_header"] is False
    client = ApiClient(served["app"])
    assert client.get("/readyz").json()["status"] == "ready"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/batches" in paths and "/federation/v1/search" in paths


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "c.pem"], "--tls-cert: give --tls-cert and --tls-key together"),
        (["--rate", "0"], "--rate: a rate above 0 and a burst of at least 1"),
    ],
)
def test_serve_refuses_half_a_tls_setting_or_no_rate(
    tmp_path: Path, served: dict[str, Any], args: list[str], message: str
) -> None:
    db = str(tmp_path / "node.db")
    runner.invoke(app, ["--db", db, "init"])
    result = runner.invoke(app, ["--db", db, "serve", *args])
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert served == {}  # nothing was served


def test_serve_with_workers_gives_uvicorn_a_factory_each_worker_builds_the_app_with(
    tmp_path: Path, served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lexhub.cli.serve import WORKER_CONFIG, worker_app

    monkeypatch.setenv(WORKER_CONFIG, "")  # serve sets it; put back after the test
    db = str(tmp_path / "node.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "serve", "--node", "north", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert (served["app"], served["factory"], served["workers"]) == (
        "lexhub.cli.serve:worker_app", True, 2,
    )  # fmt: skip
    client = ApiClient(worker_app())  # as a worker process would, from the environment
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/federation/v1/node").json()["name"] == "north"
