"""`lexhub search` end to end: a small node built through the CLI, searched through the CLI.

The node is built once per module (searches only read it); the PostgreSQL test builds its
own throwaway database. Table layout is checked on a fixed-width console, because the
runner's terminal width is whatever the machine has.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.main import get_command
from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.cli.search import results_table
from lexhub.ingest.writers import write_jsonl
from lexhub.model import (
    Address,
    Disclosure,
    Offense,
    PartialDate,
    PersonName,
    Phone,
    Record,
    RecordType,
    Role,
    Scope,
    Sex,
    Vehicle,
)
from lexhub.search import Band, PersonQuery, RecordQuery, SearchResult, search
from lexhub.store import open_store
from tests.ingest.conftest import OTHER, OWNER, make_record

runner = CliRunner()


def run(db: Path | str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


TOKENS: dict[str, str] = {}  # database -> the API token of its investigator
CONTEXT = ("--purpose", "criminal-investigation", "--case", "T-0001")
AGREEMENT = f"""
id: city-to-county
owner: {OTHER}
grantees: [{OWNER}]
purposes: [criminal-investigation]
record_types: [incident, arrest, booking, field-interview, citation, warrant]
max_sensitivity: restricted
"""


def run_search(db: Path | str, *args: str) -> tuple[int, str, str]:
    """`lexhub search` as the node's investigator, for a criminal investigation."""
    return run(db, "search", "--token", TOKENS[str(db)], *CONTEXT, *args)


def search_json(db: Path | str, *args: str) -> dict[str, Any]:
    code, out, err = run_search(db, "--json", *args)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def records() -> list[Record]:
    alma = make_record("R1")  # Testperson, Alma Q, 1988-04-12, F, (206) 555-0142, ABC-1234
    base = make_record("R2", owner=OTHER, narrative="Bicycle taken from the marina rack.")
    william = replace(
        base.persons[0],
        role=Role.VICTIM,
        name=PersonName("Smyth", "William", "J"),
        dob=PartialDate(1975, 9, 30),
        sex=Sex.MALE,
        phones=(Phone("360-555-0199"),),
        addresses=(Address("455 Harbor Rd"),),
        marks=(),
    )
    bill = replace(
        base,
        type=RecordType.INCIDENT,
        occurred=date(2025, 11, 20),
        offenses=(Offense("240"),),
        persons=(william,),
        vehicles=(Vehicle(plate="XYZ9876", plate_state="WA"),),
    )
    third = make_record("R3", owner=OTHER)
    margaret = replace(
        third.persons[0],
        name=PersonName("Garcia-Lopez", "Margaret"),
        dob=PartialDate(1991, 2, 3),
        phones=(),
    )
    return [alma, bill, replace(third, persons=(margaret,), vehicles=())]


def build_node(db: Path | str, tmp: Path) -> None:
    assert run(db, "init")[0] == 0
    for ori, name in ((OWNER, "Example County Sheriff"), (OTHER, "Example City Police")):
        assert run(db, "agency", "add", ori, "--name", name)[0] == 0
    for ori in (OWNER, OTHER):  # a batch holds one agency's records
        batch = tmp / f"{ori}.jsonl"
        write_jsonl([r for r in records() if r.owner == ori], batch)
        code, _, err = run(db, "ingest", str(batch))
        assert code == 0, err
    agreement = tmp / "agreement.yaml"
    agreement.write_text(AGREEMENT)
    code, _, err = run(db, "agreement", "apply", str(agreement))
    assert code == 0, err
    code, _, err = run(db, "user", "add", "det1", "--agency", OWNER, "--role", "investigator",
                       "--no-password")  # fmt: skip
    assert code == 0, err
    code, out, err = run(db, "token", "create", "det1", "--name", "cli-tests", "--json")
    assert code == 0, err
    TOKENS[str(db)] = json.loads(out)["token"]


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("search_cli")
    db = tmp / "node.db"
    build_node(db, tmp)
    return db


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--last", "Testperson"), "search: --token: required: the API token of the user"),
        (("--token", "lxh_0123456789abcdef_" + "x" * 43, *CONTEXT, "--last", "Testperson"),
         "search: --token: "),
    ],
)  # fmt: skip
def test_search_needs_a_valid_token(node: Path, args: tuple[str, ...], message: str) -> None:
    code, out, err = run(node, "search", *args)
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ((), "search: --purpose: required: one of criminal-investigation"),
        (("--purpose", "curiosity"), "search: --purpose: unknown 'curiosity'; one of"),
        (("--purpose", "criminal-investigation"), "search: --case: required for purpose"),
        (("--purpose", "training"), "search: --justification: required for purpose training"),
        (("--purpose", "warrant-service", "--case", "1", "--role", "auditor"),
         "search: --role: det1 does not hold the role auditor"),
    ],
)  # fmt: skip
def test_search_needs_a_purpose_and_a_case(
    node: Path, context: tuple[str, ...], message: str
) -> None:
    code, out, err = run(node, "search", "--token", TOKENS[str(node)], *context, "--last", "X")
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: {message}"), err


def test_a_search_is_audited_with_its_context(node: Path) -> None:
    search_json(node, "--last", "Garcia")
    code, out, err = run(node, "audit", "entries", "--json")
    assert code == 0, err
    searches = [e["entry"] for e in json.loads(out) if e["entry"]["kind"] == "search"]
    garcia = [s for s in searches if {"id": "R3", "owner": OTHER, "type": "field-interview"}
              in s.get("disclosed", [])]  # fmt: skip
    assert garcia, out
    assert garcia[-1]["context"]["user"] == "det1"
    assert garcia[-1]["context"]["case_number"] == "T-0001"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "search: empty person query: give at least one option (lexhub search --help)"),
        (["--last", "  "], "search: empty person query: give at least one option"),
        (["--records"], "search: empty record query: give at least one option"),
        (["--dob", "1988-02-30"], 'search: --dob: "1988-02-30" is not a date: 1988-02 has no day'),
        (["--dob", "next tuesday"], 'search: --dob: "next tuesday" is not YYYY-MM-DD, YYYY-MM or'),
        (["--phone", "555"], 'search: --phone: "555" has fewer than seven digits'),
        (["--records", "--plate", "*"], "search: --plate: give at least one letter or digit"),
        (["--dob-from", "1990-1-1"], 'search: --dob-from: "1990-1-1" is not a date (YYYY-MM-DD)'),
        (["--sex", "X"], 'search: --sex: "X" is not a sex code: one of M (male), F (female), U'),
        (["--race", "Q"], 'search: --race: "Q" is not a race code: one of A (asian), B (black)'),
        (["--age-min", "-3"], 'search: --age-min: "-3" is not a whole number from 0 to 130'),
        (["--height-max", "5'13"], 'search: --height-max: "5\'13" is not a height'),
        (["--last", "X", "--page", "0"], 'search: --page: "0" is not a whole number from 1'),
        (["--last", "X", "--page-size", "500"], 'search: --page-size: "500" is not a whole'),
        (["--age-min", "50", "--age-max", "30"], "search: --age-min 50 is greater than --age-max"),
        (
            ["--records", "--record-type", "report"],
            'search: --record-type: "report" is not a record type: one of incident, arrest,',
        ),
        (["--records", "--owner", "WA01"], 'search: --owner: "WA01" is not an ORI'),
        (["--records", "--owner", "WA0999999"], "search: --owner: no agency WA0999999 on this"),
        (
            ["--records", "--date-from", "2026-02-01", "--date-to", "2026-01-01"],
            "search: --date-from 2026-02-01 is greater than --date-to 2026-01-01",
        ),
        (
            ["--records", "--text", "marina", "--last", "Smyth"],
            "search: --last: not an option of a record query: drop --records to search people",
        ),
        (
            ["--last", "Smyth", "--offense", "240"],
            "search: --offense: not an option of a person query: add --records for a record",
        ),
    ],
)
def test_bad_options_are_one_line_errors_naming_the_option(
    node: Path, args: list[str], message: str
) -> None:
    code, out, err = run_search(node, *args)
    assert (code, out) == (1, ""), err
    assert err.startswith(f"Error: {message}") and err.endswith("\n")
    assert err.count("\n") == 1


def test_every_query_field_has_an_option() -> None:
    search_params = get_command(app).commands["search"].params  # type: ignore[attr-defined]
    names = {p.name for p in search_params}
    assert {f.name for f in fields(PersonQuery)} <= names
    assert {f.name for f in fields(RecordQuery)} <= names


def test_option_values_are_read_into_the_query(node: Path) -> None:
    args = ["--sex", "female", "--race", "w", "--height-min", "5'4", "--height-max", "70"]
    out = search_json(node, "--last", "Testperson", *args, "--dob-from", "1980-01-01")
    assert out["query"] == {
        "kind": "person",
        "last": "Testperson",
        "sex": "F",
        "race": "W",
        "height_min": 64,
        "height_max": 70,
        "dob_from": "1980-01-01",
    }
    out = search_json(node, "--records", "--record-type", "Field Interview", "--offense", "90z")
    assert out["query"] == {"kind": "record", "record_type": "field-interview", "offense": "90Z"}
    assert {h["source_id"] for h in hits_of(out)} == {"R1", "R3"}


def hits_of(out: dict[str, Any]) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = out["hits"]
    return hits


def test_person_search_json_ranks_and_explains_a_nickname_match(node: Path) -> None:
    out = search_json(node, "--last", "Smith", "--first", "Bill", "--dob", "1975")
    assert out["query"] == {"kind": "person", "last": "Smith", "first": "Bill", "dob": "1975"}
    assert out["context"] == {
        "user": "det1", "agency": OWNER, "role": "investigator",
        "purpose": "criminal-investigation", "case_number": "T-0001",
    }  # fmt: skip
    assert out["owners_searched"] == sorted([OWNER, OTHER])
    hits = hits_of(out)
    top = hits[0]
    assert (top["owner"], top["source_id"], top["record_type"], top["occurred"]) == (
        OTHER,
        "R2",
        "incident",
        "2025-11-20",
    )
    # A year of birth is not an identification (docs/search.md): possible, not likely.
    assert top["band"] == Band.POSSIBLE.value and top["disclosure"] == "full"
    reasons = [e["text"] for e in top["evidence"]]
    assert "first name: nickname BILL = WILLIAM" in reasons
    assert any(r.startswith("last name: ") and "SMITH" in r for r in reasons), reasons
    assert any(r.startswith("date of birth: ") for r in reasons), reasons
    assert top["why"] == "; ".join(e["text"] for e in top["evidence"])
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert out["total"] == len(hits) and out["pages"] == 1


def test_person_search_table_shows_record_person_and_reasons(node: Path) -> None:
    args = ("--last", "Smyth", "--first", "William", "--dob", "1975-09-30")
    code, out, err = run_search(node, *args)
    assert code == 0, err
    for shown in ("WA0171500", "R2", "incident", "2025-11-20", "SMYTH, WILLIAM J", "1975-09-30"):
        assert shown in out
    assert "likely" in out and "last name: exact SMYTH" in out
    assert re.fullmatch(
        r"\d+ hits, page 1 of 1; \d+ candidates scored in the 2 agencies whose agreements"
        r" open their records to this request",
        out.splitlines()[-1],
    )


def render(result: SearchResult, width: int = 100) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(results_table(result))
    return buffer.getvalue()


def test_results_table_fits_100_columns_and_keeps_every_reason(node: Path) -> None:
    with open_store(str(node)) as store:
        result = search(
            store,
            PersonQuery(last="Garcia", first="Peggy", dob="1991-03-02"),
            Scope.full_access([OWNER, OTHER]),
        )
    assert result.hits and result.hits[0].source_id == "R3"
    text = render(result)
    assert max(len(line) for line in text.splitlines()) <= 100
    words = text.split()
    for hit in result.hits:
        for evidence in hit.evidence:
            assert all(w in words for w in evidence.text.split()), evidence.text
    assert {"GARCIA-LOPEZ,", "MARGARET", "1991-02-03", "R3", "likely"} <= set(words)


def test_pointer_hits_show_only_owner_type_and_contact(node: Path) -> None:
    with open_store(str(node)) as store:
        result = search(
            store,
            PersonQuery(last="Smyth", first="William"),
            Scope.full_access([OTHER], disclosure=Disclosure.POINTER),
        )
    text = render(result)
    assert "(pointer)" in text and "Records" in text
    assert "Smyth" not in text and "R2" not in text and "1975" not in text


def test_absent_person_comes_back_empty(node: Path) -> None:
    args = ("--last", "Quorzybek", "--first", "Ebenezer", "--dob", "1931-06-06")
    out = search_json(node, *args)
    assert (out["hits"], out["total"]) == ([], 0)
    code, text, _ = run_search(node, *args)
    assert code == 0 and text.startswith("No hits; ")


def test_pages_number_hits_across_pages(node: Path) -> None:
    everything = hits_of(search_json(node, "--mark", "rose tattoo"))
    assert {h["source_id"] for h in everything} >= {"R1", "R3"}
    second = search_json(node, "--mark", "rose tattoo", "--page", "2", "--page-size", "1")
    assert (second["page"], second["page_size"], second["pages"]) == (2, 1, len(everything))
    [hit] = hits_of(second)
    assert hit["rank"] == 2 and hit["source_id"] == everything[1]["source_id"]


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["--plate", "ABC*34"], {"R1"}),
        (["--text", "marina bicycle"], {"R2"}),
        (["--owner", OTHER, "--record-type", "incident"], {"R2"}),
        (["--offense", "240"], {"R2"}),
    ],
)
def test_record_search(node: Path, args: list[str], found: set[str]) -> None:
    out = search_json(node, "--records", *args)
    assert out["query"]["kind"] == "record"
    hits = hits_of(out)
    assert {h["source_id"] for h in hits} == found
    assert all(h["mention_id"] is None for h in hits)


def test_postgres_gives_the_same_hits(node: Path, pg_url: str, tmp_path: Path) -> None:
    build_node(pg_url, tmp_path)
    args = ("--last", "Smith", "--first", "Bill", "--dob", "1975")

    def seen(db: Path | str) -> list[tuple[object, ...]]:
        return [
            (h["owner"], h["source_id"], h["band"], round(h["score"], 6), h["why"])
            for h in hits_of(search_json(db, *args))
        ]

    assert seen(pg_url) == seen(node)
