"""The API's governance routes on both engines: batches (idempotent by id, rejected whole
with every error's line and field), agreements, users and tokens, the audit log and
reports, each behind its roles and agency."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from lexhub.ingest.writers import write_jsonl
from lexhub.model import Record, UserRole
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.search.conftest import INC, A, B, C, person, record
from tests.service.conftest import ApiClient, agreement, auth, entries, token_for

Node = tuple[ApiClient, str, Store]
AGREEMENT = agreement("b-to-c", B, C)
SEARCH = {"purpose": "criminal-investigation", "case_number": "26-0117",
          "query": {"kind": "person", "last": "okafor", "first": "chidi"}}  # fmt: skip


def jsonl(tmp_path: Path, *records: Record) -> bytes:
    path = tmp_path / "batch.jsonl"
    write_jsonl(records, path)
    return path.read_bytes()


def post_batch(client: ApiClient, token: str, body: bytes, batch_id: str) -> httpx.Response:
    params = {"batch_id": batch_id, "name": "incidents.jsonl"}
    return client.post("/api/v1/batches", content=body, headers=auth(token), params=params)


def test_a_batch_loads_once_by_its_id_and_only_the_agencys_own_records(
    node: Node, tmp_path: Path
) -> None:
    client, analyst, store = node
    admin_a = token_for(store, "records.a", A, UserRole.RECORDS_ADMIN)
    body = jsonl(tmp_path, record("A-7", person("Mbeki", "Thandi", "1990-03-04"), owner=A,
                                  type=INC))  # fmt: skip
    assert post_batch(client, analyst, body, "b-1").status_code == 403

    first = post_batch(client, admin_a, body, "b-1")
    assert first.status_code == 200, first.text
    assert first.json() | {"already_loaded": None} == {
        "batch_id": "b-1", "file": "incidents.jsonl", "owner": A, "read": 1, "new": 1,
        "changed": 0, "unchanged": 0, "retracted": 0, "rejected": 0, "written": 1,
        "already_loaded": None,
    }  # fmt: skip
    assert first.json()["already_loaded"] is False
    again = post_batch(client, admin_a, body, "b-1")
    assert again.status_code == 200
    assert again.json()["already_loaded"] is True and again.json()["new"] == 1
    loaded = [e for e in entries(store, "ingest") if e["details"]["batch_id"] == "b-1"]
    assert len(loaded) == 1  # the repeat changed nothing and wrote no entry

    theirs = jsonl(tmp_path, record("B-7", person("Mbeki", "Thandi"), owner=B, type=INC))
    refused = post_batch(client, admin_a, theirs, "b-2")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["line"] == 1
    assert refused.json()["errors"][0]["field"] == "owner"


def test_a_bad_batch_is_rejected_whole_naming_each_line_and_field(
    node: Node, tmp_path: Path
) -> None:
    client, _, store = node
    admin_a = token_for(store, "records.a", A, UserRole.RECORDS_ADMIN)
    good = jsonl(tmp_path, record("A-8", person("Mbeki", "Thandi", "1990-03-04"), owner=A,
                                  type=INC)).decode()  # fmt: skip
    bad = good.replace("1990-03-04", "1990-02-30")
    r = post_batch(client, admin_a, (good.replace("A-8", "A-9") + bad).encode(), "b-3")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["detail"] == "incidents.jsonl: batch rejected, 1 error(s), nothing written"
    assert body["instance"] == "/api/v1/batches"
    ((problem),) = body["errors"]
    assert (problem["file"], problem["line"]) == ("incidents.jsonl", 2)
    assert problem["field"].endswith("dob") and "1990-02-30" in problem["reason"]
    assert store.batch("b-3") is None and not store.get_record(A, "A-9")  # nothing written


def test_agreements_apply_list_show_and_revoke_for_their_owner_only(node: Node) -> None:
    client, analyst, store = node
    admin_a = token_for(store, "records.a", A, UserRole.RECORDS_ADMIN)
    admin_b = token_for(store, "records.b", B, UserRole.RECORDS_ADMIN)
    yaml = {"content-type": "application/yaml"}
    assert client.post("/api/v1/agreements", content=AGREEMENT,
                       headers={**auth(analyst), **yaml}).status_code == 403  # fmt: skip
    assert (
        client.post(
            "/api/v1/agreements", content=AGREEMENT, headers={**auth(admin_a), **yaml}
        ).status_code
        == 403
    )  # B's, not A's
    applied = client.post(
        "/api/v1/agreements", content=AGREEMENT, headers={**auth(admin_b), **yaml}
    )
    assert applied.status_code == 200, applied.text
    assert [(v["id"], v["version"], v["changed"]) for v in applied.json()] == [("b-to-c", 1, True)]
    assert client.post("/api/v1/search", json=SEARCH, headers=auth(analyst)).json()["total"] == 2

    mine = client.get("/api/v1/agreements", headers=auth(admin_b)).json()
    assert [v["id"] for v in mine["items"]] == ["b-to-c"] and mine["total"] == 1
    hidden = client.get("/api/v1/agreements/b-to-c", headers=auth(admin_a))
    assert hidden.status_code == 404  # another owner's document answers like an unknown one
    (shown,) = client.get("/api/v1/agreements/b-to-c", headers=auth(admin_b)).json()
    assert shown["source"] == AGREEMENT and shown["document"]["grantees"] == [C]

    bad = client.post("/api/v1/agreements", content=AGREEMENT.replace("incident", "gossip"),
                      headers={**auth(admin_b), **yaml})  # fmt: skip
    assert bad.status_code == 422 and "gossip" in bad.text

    revoked = client.post("/api/v1/agreements/b-to-c/revoke", headers=auth(admin_b))
    assert revoked.json()["action"] == "revoke" and revoked.json()["version"] == 2
    assert client.post("/api/v1/search", json=SEARCH, headers=auth(analyst)).json()["total"] == 1
    changes = entries(store, "agreement-change")
    assert [(e["details"]["action"], e["actor"]) for e in changes] == [
        ("apply", "records.b"), ("revoke", "records.b")
    ]  # fmt: skip


def test_a_node_admin_issues_and_revokes_tokens_and_a_revoked_or_expired_one_is_401(
    node: Node,
) -> None:
    client, analyst, store = node
    admin = token_for(store, "root", A, UserRole.NODE_ADMIN)
    new_user = {"username": "det.ray", "agency": C, "roles": ["investigator"]}
    assert client.post("/api/v1/users", json=new_user, headers=auth(analyst)).status_code == 403
    made = client.post("/api/v1/users", json=new_user, headers=auth(admin))
    assert made.status_code == 201 and made.json()["status"] == "active"
    issued = client.post("/api/v1/tokens", json={"username": "det.ray", "name": "rms", "days": 1},
                         headers=auth(admin)).json()  # fmt: skip
    ray = issued["token"]
    assert client.post("/api/v1/search", json=SEARCH, headers=auth(ray)).status_code == 200
    listed = client.get("/api/v1/tokens", params={"username": "det.ray"}, headers=auth(admin))
    assert [t["state"] for t in listed.json()["items"]] == ["active"]
    assert "token" not in listed.json()["items"][0]  # shown once, at creation

    later = ApiClient(create_app(store.url, now=lambda: datetime.now(UTC) + timedelta(days=2)))
    expired = later.post("/api/v1/search", json=SEARCH, headers=auth(ray))
    assert expired.status_code == 401 and expired.json()["title"] == "Unauthorized"

    gone = client.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=auth(admin))
    assert gone.json()["state"] == "revoked"
    revoked = client.post("/api/v1/search", json=SEARCH, headers=auth(ray))
    assert revoked.status_code == 401
    assert revoked.json() | {"instance": None} == expired.json() | {"instance": None}
    again = client.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=auth(admin))
    assert again.status_code == 409


def test_groups_change_through_the_api_and_reach_their_agreements(node: Node) -> None:
    client, analyst, store = node
    admin = token_for(store, "root", A, UserRole.NODE_ADMIN)
    body = {"add": [C], "create": True, "description": "task force"}
    assert client.post("/api/v1/groups/tf/members", json=body,
                       headers=auth(analyst)).status_code == 403  # fmt: skip
    r = client.post("/api/v1/groups/tf/members", json=body, headers=auth(admin))
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["members"]) == (True, [C])
    assert [g["name"] for g in client.get("/api/v1/groups", headers=auth(admin)).json()] == ["tf"]
    (entry,) = entries(store, "group-change")
    assert entry["actor"] == "root" and entry["details"]["added"] == [C]


@pytest.mark.parametrize("role", [UserRole.INVESTIGATOR, UserRole.ANALYST, UserRole.RECORDS_ADMIN])
def test_only_auditors_read_the_audit_log(node: Node, role: UserRole) -> None:
    client, _, store = node
    token = token_for(store, "someone", C, role)
    for path in ("/api/v1/audit/entries", "/api/v1/audit/export", "/api/v1/audit/checkpoints",
                 "/api/v1/audit/verify"):  # fmt: skip
        r = client.get(path, headers=auth(token))
        assert r.status_code == 403, path
        assert r.json()["detail"] == "someone needs the role auditor or node-admin"


def test_auditors_page_through_entries_and_export_reads_as_an_audited_file(node: Node) -> None:
    client, analyst, store = node
    client.post("/api/v1/search", json=SEARCH, headers=auth(analyst))
    oversight = token_for(store, "inspector", A, UserRole.AUDITOR, oversight=True)
    local = token_for(store, "aud.c", C, UserRole.AUDITOR)

    first = client.get("/api/v1/audit/entries", params={"limit": 2}, headers=auth(oversight))
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["seq"] for e in page["items"]] == [1, 2] and page["next_after"] == 2
    rest = client.get("/api/v1/audit/entries", params={"after": 2, "limit": 1000},
                      headers=auth(oversight)).json()  # fmt: skip
    assert rest["items"][0]["seq"] == 3 and rest["next_after"] is None
    assert rest["items"][-1]["entry"]["kind"] == "audit-read"  # the first page's read

    mine = {"kind": "search"}
    searches = client.get("/api/v1/audit/entries", params=mine, headers=auth(local)).json()
    assert [e["entry"]["context"]["agency"] for e in searches["items"]] == [C]
    other = client.get("/api/v1/audit/entries", params={**mine, "agency": A}, headers=auth(local))
    assert other.status_code == 403  # an agency's auditor reads its own users' requests

    assert client.get("/api/v1/audit/export", headers=auth(local)).status_code == 403
    export = client.get("/api/v1/audit/export", headers=auth(oversight))
    assert export.status_code == 200
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert sum(1 for d in lines if d.get("type") == "entry") == store.audit_head()[0]


def test_reports_show_a_records_admin_its_own_agencys_view(node: Node) -> None:
    client, analyst, store = node
    client.post("/api/v1/search", json=SEARCH, headers=auth(analyst))
    admin_a = token_for(store, "records.a", A, UserRole.RECORDS_ADMIN)
    assert client.get("/api/v1/reports", headers=auth(analyst)).status_code == 403
    assert client.get("/api/v1/reports", params={"owner": B},
                      headers=auth(admin_a)).status_code == 403  # fmt: skip
    r = client.get("/api/v1/reports", headers=auth(admin_a))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["owner"] == A and report["viewer"] == {"agency": A, "auditor": False}
    assert report["searches"] == 1
