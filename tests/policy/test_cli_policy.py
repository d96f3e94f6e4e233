"""`lexhub agreement` and `lexhub group` end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app

runner = CliRunner()
CITY, COUNTY, FED = "WA0171500", "WA0170000", "DC0000000"

AGREEMENTS = f"""\
id: city-to-partners
owner: {CITY}
grantees: [{COUNTY}, group:federal-partners]
purposes: [criminal-investigation]
record_types: [incident]
withhold: [person.phones]
---
owner_policy:
  owner: {CITY}
  prohibited_purposes: [civil-immigration-enforcement]
"""


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "node.db"
    assert run(path, "init")[0] == 0
    for ori in (CITY, COUNTY, FED):
        assert run(path, "agency", "add", ori, "--name", f"Agency {ori}")[0] == 0
    return path


def test_groups_add_list_members_remove(db: Path) -> None:
    code, out, _ = run(db, "group", "add", "federal-partners", FED, "--json")
    assert code == 0 and json.loads(out) == {
        "group": "group:federal-partners", "created": True, "added": [FED], "agreements": []
    }  # fmt: skip
    code, out, _ = run(db, "group", "members", "group:federal-partners", "--json")
    assert json.loads(out)["members"] == [FED]
    code, out, _ = run(db, "group", "remove", "federal-partners", FED, "--json")
    assert json.loads(out)["removed"] == [FED]
    code, out, _ = run(db, "group", "list", "--json")
    assert json.loads(out) == [
        {"group": "group:federal-partners", "description": None, "members": []}
    ]
    assert run(db, "group", "add", "feds", "XX0000000") == (1, "", "Error: no agency XX0000000\n")
    assert run(db, "group", "members", "nope") == (1, "", "Error: no group group:nope\n")
    assert run(db, "group", "add", "Bad Name") == (
        1, "", 'Error: name: "Bad Name" must be lower-case letters, digits and "-"\n'
    )  # fmt: skip


def test_adding_a_member_names_the_agreements_it_now_receives(db: Path, tmp_path: Path) -> None:
    run(db, "group", "add", "federal-partners")
    path = tmp_path / "city.yaml"
    path.write_text(AGREEMENTS)
    run(db, "agreement", "apply", str(path))
    code, out, _ = run(db, "group", "add", "federal-partners", FED)
    assert out == (
        "1 member(s) added to group:federal-partners\n"
        "they now receive what these agreements grant: city-to-partners v1 (owner WA0171500)\n"
    )


def test_apply_list_show_diff_revoke(db: Path, tmp_path: Path) -> None:
    run(db, "group", "add", "federal-partners", FED)
    path = tmp_path / "city.yaml"
    path.write_text(AGREEMENTS)
    code, out, err = run(db, "agreement", "apply", str(path))
    assert (code, err) == (0, "")
    assert out == (
        "city-to-partners: version 1 (applied)\nowner-policy:WA0171500: version 1 (applied)\n"
    )
    path.write_text(AGREEMENTS.replace("[person.phones]", "[person.phones, person.dob]"))
    code, out, _ = run(db, "agreement", "apply", str(path), "--json")
    assert [(v["id"], v["version"], v["changed"]) for v in json.loads(out)] == [
        ("city-to-partners", 2, True),
        ("owner-policy:WA0171500", 1, False),
    ]
    code, out, _ = run(db, "agreement", "list", "--json")
    assert [(v["id"], v["version"]) for v in json.loads(out)] == [
        ("city-to-partners", 2), ("owner-policy:WA0171500", 1)
    ]  # fmt: skip
    code, out, _ = run(db, "agreement", "show", "city-to-partners", "--version", "1")
    assert "withhold: [person.phones]\n" in out and "person.dob" not in out
    code, out, _ = run(db, "agreement", "diff", "city-to-partners")
    assert "-withhold: [person.phones]\n+withhold: [person.phones, person.dob]" in out
    code, out, _ = run(db, "agreement", "revoke", "city-to-partners")
    assert out == "city-to-partners: revoked (version 3)\n"
    code, out, _ = run(db, "agreement", "show", "city-to-partners", "--history", "--json")
    assert [v["action"] for v in json.loads(out)] == ["apply", "apply", "revoke"]
    assert run(db, "agreement", "revoke", "city-to-partners") == (
        1, "", "Error: city-to-partners is already revoked (version 3)\n"
    )  # fmt: skip
    assert run(db, "agreement", "show", "nope") == (
        1, "", "Error: no agreement or owner policy nope\n"
    )  # fmt: skip


def test_apply_rejects_a_bad_file_whole(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(AGREEMENTS.replace("[criminal-investigation]", "[immigration]"))
    code, out, err = run(db, "agreement", "apply", str(path))
    assert code == 1 and out == ""
    assert err == (
        f"Error: {path}: batch rejected, 2 error(s), nothing written\n"
        f'  {path}:3: grantees[1]: unknown group "group:federal-partners"'
        " (create it with `lexhub group add`)\n"
        f'  {path}:4: purposes[0]: unknown purpose "immigration"; one of criminal-investigation,'
        " officer-safety, warrant-service, missing-person, victim-services, cj-employment,"
        " firearms-check, domestic-violence, civil-immigration-enforcement, administrative,"
        " training\n"
    )
    assert json.loads(run(db, "agreement", "list", "--json")[1]) == []


def test_explain_names_the_deciding_rule(db: Path, tmp_path: Path) -> None:
    run(db, "group", "add", "federal-partners", FED)
    path = tmp_path / "city.yaml"
    path.write_text(AGREEMENTS)
    run(db, "agreement", "apply", str(path))
    args = ("agreement", "explain", "--requester", FED, "--owner", CITY, "--json")
    code, out, _ = run(db, *args, "--purpose", "criminal-investigation")
    rows = {r["record_type"]: r for r in json.loads(out)}
    assert rows["incident"]["outcome"] == "allowed"
    assert rows["incident"]["deciding"] == ["agreement city-to-partners v1"]
    assert rows["incident"]["withhold"] == [
        {"fields": ["person.phones"], "person_roles": None, "offense_categories": None}
    ]
    assert rows["arrest"]["outcome"] == "denied"
    code, out, _ = run(db, *args, "--purpose", "civil-immigration-enforcement")
    assert {r["outcome"] for r in json.loads(out)} == {"denied"}
    assert json.loads(out)[0]["reasons"] == [
        "owner policy of WA0171500 v1 prohibits purpose civil-immigration-enforcement"
    ]
    code, out, _ = run(db, *args, "--purpose", "criminal-investigation", "--date", "2020-01-01")
    assert code == 0  # no validity dates: in force on any day
    code, _, err = run(db, *args, "--purpose", "snooping")
    assert code == 1 and err.startswith("Error: --purpose: unknown 'snooping'; one of ")
    assert run(db, "agreement", "explain", "--requester", "XX0000000", "--purpose", "training") == (
        1, "", "Error: no agency XX0000000\n"
    )  # fmt: skip
