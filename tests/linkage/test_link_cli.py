"""`lexhub link` over a loaded node: one JSON object of counts that the store agrees with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_link_command_links_the_node_and_reports_counts(tmp_path: Path, region: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "node.db")
    for args in (["init"], ["agency", "import", str(region / "agencies.json")],
                 ["ingest", str(region)]):  # fmt: skip
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--db", db, "link", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    with open_store(db) as store:
        model = store.linkage_model()
        assert model is not None and model.id == out["model_id"] == 1
        assert out["threshold"] == model.threshold == 4.0
        assert out["mentions"] == store.stats().mentions
        assert out["entities"] == len(set(store.entity_assignments().values()))
