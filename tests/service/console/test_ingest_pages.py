"""The ingest screen: a records administrator uploads JSON Lines or CSV with its mapping,
follows the load on its job page, and sees the counts, or every problem as
file:line: field: reason with nothing written; every batch is in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lexhub.ingest.writers import write_jsonl
from lexhub.model.audit import AuditFilter, AuditKind
from lexhub.service.console.ingest_pages import JOBS
from tests.ingest.test_read_csv import HEADER, MAPPING
from tests.search.conftest import INC, A, B, person, record
from tests.service.console.conftest import Browser, ConsoleNode

SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # no storage question
CSV = HEADER + "C-7,03/01/2026,Suspect,Testperson,Alma,04/12/1988,Female\n"  # owner A


def jsonl(tmp_path: Path, owner: str = A) -> str:
    path = tmp_path / "upload.jsonl"
    write_jsonl([record("U-1", person("Mensah", "Ama", "1990-01-02"), owner=owner, type=INC),
                 record("U-2", person("Mensah", "Kofi"), owner=owner, type=INC)], path)  # fmt: skip
    return path.read_text(encoding="utf-8")


def upload(browser: Browser, files: dict[str, tuple[str, str]], **form: str) -> str:
    """POST the upload, wait for its job to end (on its event), and return the job page."""
    r = browser.post("/ingest", form, files=files)
    assert r.status_code == 303, r.text
    job_id = r.headers["location"].rsplit("/", 1)[1]
    assert JOBS[job_id].done.wait(30)
    page = browser.get(r.headers["location"])
    assert page.status_code == 200
    return page.text


def ingest_entries(node: ConsoleNode) -> list[dict[str, object]]:
    where = AuditFilter(kind=AuditKind.INGEST.value)
    return [json.loads(e.body) for e in node.store.audit_entries(where, 1000)]


def test_a_records_administrator_loads_a_batch_and_the_log_holds_it(
    node: ConsoleNode, browser: Browser, tmp_path: Path
) -> None:
    browser.login(node, "records.a")
    form = browser.get("/ingest").text
    assert 'enctype="multipart/form-data"' in form and '<label for="batch">' in form
    page = upload(browser, {"batch": ("upload.jsonl", jsonl(tmp_path))})
    assert "<strong>Loaded:</strong> 2 records written" in page
    assert "<td>2</td><td>2</td><td>0</td><td>0</td><td>0</td><td>0</td>" in page
    assert node.store.get_record(A, "U-1") is not None
    entry = ingest_entries(node)[-1]
    assert entry["actor"] == "records.a"
    assert entry["details"]["status"] == "loaded" and entry["details"]["owner"] == A  # type: ignore[index]


def test_every_problem_is_shown_at_its_line_and_nothing_is_written(
    node: ConsoleNode, browser: Browser, tmp_path: Path
) -> None:
    lines = jsonl(tmp_path).splitlines()
    bad = json.loads(lines[1])
    bad["persons"][0]["dob"] = "1990-02-30"
    text = "\n".join([lines[0], json.dumps(bad)]) + "\n"
    browser.login(node, "records.a")
    page = upload(browser, {"batch": ("upload.jsonl", text)})
    assert "<strong>Rejected:</strong> upload.jsonl: rejected, nothing written" in page
    assert "<li><code>upload.jsonl:2: persons[0].dob:" in page and "1990-02-30" in page
    assert node.store.get_record(A, "U-1") is None
    assert ingest_entries(node)[-1]["details"]["status"] == "rejected"  # type: ignore[index]


@SQLITE_ONLY
def test_a_csv_loads_with_its_mapping(node: ConsoleNode, browser: Browser) -> None:
    browser.login(node, "records.a")
    page = upload(browser, {"batch": ("rms.csv", CSV), "mapping": ("rms.yaml", MAPPING)})
    assert "<strong>Loaded:</strong> 1 record written" in page
    assert node.store.get_record(A, "C-7") is not None


@SQLITE_ONLY
def test_a_records_administrator_loads_only_its_own_agencys_records(
    node: ConsoleNode, browser: Browser, tmp_path: Path
) -> None:
    browser.login(node, "records.a")
    page = upload(browser, {"batch": ("upload.jsonl", jsonl(tmp_path, owner=B))})
    assert "<strong>Rejected:</strong>" in page and "upload.jsonl:1: owner:" in page
    assert node.store.get_record(B, "U-1") is None


@SQLITE_ONLY
def test_a_job_is_shown_only_to_the_user_who_started_it(
    node: ConsoleNode, browser: Browser, tmp_path: Path
) -> None:
    browser.login(node, "records.a")
    r = browser.post("/ingest", {}, files={"batch": ("upload.jsonl", jsonl(tmp_path))})
    job_id = r.headers["location"].rsplit("/", 1)[1]
    assert JOBS[job_id].done.wait(30)
    other = Browser(node.app)
    other.login(node, "auditor.c")
    assert other.get(r.headers["location"]).status_code == 403  # not an ingest role
    assert browser.get("/ingest/jobs/unknown").status_code == 404
    assert "choose a file" in browser.post("/ingest", {}).text
