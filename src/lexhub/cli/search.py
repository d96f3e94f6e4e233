"""`lexhub search`: the operator's search over every agency, a person or a record query.

Options are kept as strings and parsed here, not by click, so that a bad value gives the
one-line `Error: search: --option: ...` every other command gives, not a usage box.

TEMPORARY: there is no request context yet (agency, user, purpose), so the only scope the
CLI can search in is the node operator's `--all-owners` one; the policy issue replaces it
with the scope its agreements give a request, and removes the flag.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from lexhub.cli.output import JSON_HELP, console, emit_json, opened_store
from lexhub.errors import InputError
from lexhub.model import PartialDate, Race, RecordType, Scope, Sex, validate_ori
from lexhub.search import Hit, PersonQuery, Query, RecordQuery, SearchResult, search

__all__ = ["search_command"]

PERSON = "Person query (the default)"
RECORD = "Record query (with --records)"
SCOPE = "Scope and output"
MAX_PAGE_SIZE = 200
ALL_OWNERS_HELP = (
    "TEMPORARY, required: search every agency's records as the node operator. "
    "Removed when searches carry a request context (agency, user, purpose)."
)


def _opt(help: str, panel: str = PERSON, metavar: str = "TEXT") -> Any:
    return typer.Option(help=help, rich_help_panel=panel, metavar=metavar, show_default=False)


Text = str | None
E = TypeVar("E", bound=StrEnum)


def fail(option: str | None, reason: str) -> InputError:
    return InputError("search", None, option, reason)


def parse_date(option: str, text: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise fail(option, f'"{text}" is not a date (YYYY-MM-DD)')


def parse_dob(text: str) -> str:
    try:
        return PartialDate.from_iso(text).iso()
    except ValueError as e:
        reason = str(e) if str(e).startswith('"') else f'"{text}": {e}'
        raise fail("--dob", reason) from None


def parse_int(option: str, text: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d+", text.strip()) or not low <= int(text) <= high:
        raise fail(option, f'"{text}" is not a whole number from {low} to {high}')
    return int(text)


def parse_height(option: str, text: str) -> int:
    """Inches (70) or feet and inches as written on a record (5'10, 5'10")."""
    feet = re.fullmatch(r"""\s*(\d)\s*'\s*(\d{1,2})\s*"?\s*""", text)
    if feet and int(feet[2]) < 12:
        return int(feet[1]) * 12 + int(feet[2])
    if re.fullmatch(r"\d+", text.strip()) and 12 <= int(text) <= 108:
        return int(text)
    raise fail(option, f"""\"{text}" is not a height (inches from 12 to 108, or 5'10")""")


def parse_code(option: str, text: str, enum: type[E], noun: str) -> E:
    """An enum by its code (`M`) or its name (`male`), case-insensitive."""
    key = text.strip().upper().replace("-", "_").replace(" ", "_")
    for member in enum:
        if key in (member.value.upper(), member.name):
            return member
    codes = ", ".join(_label(m) for m in enum)
    raise fail(option, f'"{text}" is not {noun}: one of {codes}')


def _label(member: StrEnum) -> str:
    name = member.name.lower().replace("_", " ")
    return member.value if member.value.replace("-", " ") == name else f"{member.value} ({name})"


def check_range(low_option: str, low: Any, high_option: str, high: Any) -> None:
    if low is not None and high is not None and low > high:
        raise fail(None, f"{low_option} {low} is greater than {high_option} {high}")


def given(options: dict[str, Any]) -> dict[str, Any]:
    """The options the user typed (blank strings count as not typed)."""
    return {k: v for k, v in options.items() if v is not None and str(v).strip() != ""}


def person_query(o: dict[str, Any]) -> PersonQuery:
    q = PersonQuery(
        last=o.get("--last"),
        first=o.get("--first"),
        middle=o.get("--middle"),
        alias=o.get("--alias"),
        dob=parse_dob(o["--dob"]) if "--dob" in o else None,
        dob_from=parse_date("--dob-from", o["--dob-from"]) if "--dob-from" in o else None,
        dob_to=parse_date("--dob-to", o["--dob-to"]) if "--dob-to" in o else None,
        age_min=parse_int("--age-min", o["--age-min"], 0, 130) if "--age-min" in o else None,
        age_max=parse_int("--age-max", o["--age-max"], 0, 130) if "--age-max" in o else None,
        sex=parse_code("--sex", o["--sex"], Sex, "a sex code") if "--sex" in o else None,
        race=parse_code("--race", o["--race"], Race, "a race code") if "--race" in o else None,
        height_min=parse_height("--height-min", o["--height-min"]) if "--height-min" in o else None,
        height_max=parse_height("--height-max", o["--height-max"]) if "--height-max" in o else None,
        weight_min=parse_int("--weight-min", o["--weight-min"], 1, 1500)
        if "--weight-min" in o
        else None,
        weight_max=parse_int("--weight-max", o["--weight-max"], 1, 1500)
        if "--weight-max" in o
        else None,
        phone=o.get("--phone"),
        address=o.get("--address"),
        mark=o.get("--mark"),
        state_id=o.get("--state-id"),
        driver_license=o.get("--driver-license"),
        plate=o.get("--plate"),
    )
    check_range("--dob-from", q.dob_from, "--dob-to", q.dob_to)
    check_range("--age-min", q.age_min, "--age-max", q.age_max)
    check_range("--height-min", q.height_min, "--height-max", q.height_max)
    check_range("--weight-min", q.weight_min, "--weight-max", q.weight_max)
    return q


def record_query(o: dict[str, Any]) -> RecordQuery:
    owner = o.get("--owner")
    if owner is not None:
        try:
            owner = validate_ori(owner.strip().upper())
        except ValueError as e:
            raise fail("--owner", str(e)) from None
    q = RecordQuery(
        record_type=parse_code("--record-type", o["--record-type"], RecordType, "a record type")
        if "--record-type" in o
        else None,
        offense=o["--offense"].strip().upper() if "--offense" in o else None,
        owner=owner,
        date_from=parse_date("--date-from", o["--date-from"]) if "--date-from" in o else None,
        date_to=parse_date("--date-to", o["--date-to"]) if "--date-to" in o else None,
        location=o.get("--location"),
        plate=o.get("--plate"),
        phone=o.get("--phone"),
        text=o.get("--text"),
    )
    check_range("--date-from", q.date_from, "--date-to", q.date_to)
    return q


def build_query(records: bool, person: dict[str, Any], record: dict[str, Any]) -> Query:
    """Refuse options of the other kind of query rather than drop them silently."""
    shared = person.keys() & record.keys()
    mine, other = (record, person) if records else (person, record)
    stray = [k for k in other if k not in shared]
    if stray:
        hint = "drop --records to search people" if records else "add --records for a record query"
        raise fail(
            stray[0], f"not an option of a {'record' if records else 'person'} query: {hint}"
        )
    if not mine:
        kind = "record" if records else "person"
        raise fail(None, f"empty {kind} query: give at least one option (lexhub search --help)")
    return record_query(mine) if records else person_query(mine)


def _name(person: dict[str, Any]) -> str | None:
    name = person.get("name")
    if isinstance(name, dict):
        given_names = " ".join(str(name[k]) for k in ("first", "middle") if name.get(k))
        last = str(name.get("last", ""))
        return f"{last}, {given_names}" if given_names else last
    return None if name is None else str(name)


def person_cell(hit: Hit) -> str:
    if hit.contact is not None and not hit.person:
        return "(pointer)"
    p = hit.person
    lines = [
        _name(p),
        f"DOB {p['dob']}" if p.get("dob") else None,
        " ".join(str(p[k]) for k in ("role", "sex", "race") if p.get(k)) or None,
    ]
    return "\n".join(line for line in lines if line)


def record_cell(hit: Hit) -> str:
    lines = [hit.owner, hit.source_id, hit.record_type, hit.occurred]
    return "\n".join(line for line in lines if line)


def why_cell(hit: Hit) -> str:
    if hit.evidence:
        return "\n".join(e.text for e in hit.evidence)
    if hit.contact is not None:
        c = hit.contact
        return "holds a matching record; contact " + ", ".join(
            x for x in (c.unit, c.phone, c.email) if x
        )
    return ""


def results_table(result: SearchResult) -> Table:
    """One hit per row, stacked cells, so a hit stays legible in 100 columns."""
    t = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, title_justify="left")
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("score", no_wrap=True)
    t.add_column("record", no_wrap=True, max_width=18, overflow="fold")
    t.add_column("person", max_width=22, overflow="fold")
    t.add_column("why", ratio=1, overflow="fold")
    first = (result.page - 1) * result.page_size
    for i, hit in enumerate(result.hits, start=first + 1):
        t.add_row(
            str(i),
            f"{hit.score:.2f}\n{hit.band.value}",
            escape(record_cell(hit)),
            escape(person_cell(hit)),
            escape(why_cell(hit)),
        )
    return t


def summary(result: SearchResult) -> str:
    where = (
        f"{result.candidates} candidates scored in {len(result.owners_searched)} agencies "
        "(--all-owners, temporary)"
    )
    if result.total == 0:
        return f"No hits; {where}"
    return f"{result.total} hits, page {result.page} of {result.pages}; {where}"


def hit_json(rank: int, hit: Hit) -> dict[str, Any]:
    c = hit.contact
    return {
        "rank": rank,
        "score": hit.score,
        "band": hit.band.value,
        "disclosure": hit.disclosure.value,
        "owner": hit.owner,
        "record_type": hit.record_type,
        "occurred": hit.occurred,
        "record_id": hit.record_id,
        "source_id": hit.source_id,
        "mention_id": hit.mention_id,
        "person": hit.person,
        "why": hit.why,
        "evidence": [{"field": e.field, "text": e.text, "score": e.score} for e in hit.evidence],
        "contact": None if c is None else {"unit": c.unit, "phone": c.phone, "email": c.email},
    }


def result_json(query: Query, result: SearchResult) -> dict[str, Any]:
    fields = {k: v for k, v in vars(query).items() if v is not None}
    first = (result.page - 1) * result.page_size
    return {
        "query": {"kind": "record" if isinstance(query, RecordQuery) else "person", **fields},
        "scope": "all-owners",
        "owners_searched": list(result.owners_searched),
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "total": result.total,
        "candidates": result.candidates,
        "hits": [hit_json(first + i, h) for i, h in enumerate(result.hits, start=1)],
    }


def search_command(
    ctx: typer.Context,
    last: Annotated[Text, _opt("Last name; typos, sound-alikes, one part of a compound.")] = None,
    first: Annotated[Text, _opt("First name; nicknames (Bill = William), initials.")] = None,
    middle: Annotated[Text, _opt("Middle name or initial.")] = None,
    alias: Annotated[Text, _opt('An alias ("LAST, FIRST" or "First Last") or moniker.')] = None,
    dob: Annotated[
        Text, _opt("Date of birth: YYYY-MM-DD, YYYY-MM or YYYY.", metavar="DATE")
    ] = None,
    dob_from: Annotated[Text, _opt("Born on or after (YYYY-MM-DD).", metavar="DATE")] = None,
    dob_to: Annotated[Text, _opt("Born on or before (YYYY-MM-DD).", metavar="DATE")] = None,
    age_min: Annotated[Text, _opt("Age at least (years, today).", metavar="YEARS")] = None,
    age_max: Annotated[Text, _opt("Age at most (years, today).", metavar="YEARS")] = None,
    sex: Annotated[Text, _opt("Sex: M, F or U.", metavar="CODE")] = None,
    race: Annotated[Text, _opt("Race (NCIC): A, B, H, I, P, U or W.", metavar="CODE")] = None,
    height_min: Annotated[Text, _opt("Height at least: inches or 5'10.", metavar="H")] = None,
    height_max: Annotated[Text, _opt("Height at most: inches or 5'10.", metavar="H")] = None,
    weight_min: Annotated[Text, _opt("Weight at least, pounds.", metavar="LB")] = None,
    weight_max: Annotated[Text, _opt("Weight at most, pounds.", metavar="LB")] = None,
    phone: Annotated[
        Text, _opt("Phone in any format, or its last 7 digits (both queries).")
    ] = None,
    address: Annotated[Text, _opt("Address; abbreviations and units in any form.")] = None,
    mark: Annotated[
        Text, _opt('Scar, mark or tattoo: NCIC code ("TAT L ARM") or words ("dragon tattoo").')
    ] = None,
    state_id: Annotated[Text, _opt("State identification number.")] = None,
    driver_license: Annotated[Text, _opt("Driver licence number.")] = None,
    plate: Annotated[
        Text, _opt("Plate; partial with * wildcards (ABC*12); O/0, I/1 alike (both).")
    ] = None,
    records: Annotated[
        bool,
        typer.Option(
            "--records",
            help="Ask a record query (options below) instead of a person query.",
            rich_help_panel=RECORD,
        ),
    ] = False,
    record_type: Annotated[
        Text, _opt(f"One of {', '.join(t.value for t in RecordType)}.", RECORD, "TYPE")
    ] = None,
    offense: Annotated[Text, _opt("Offense, NIBRS code (13A).", RECORD, "CODE")] = None,
    owner: Annotated[Text, _opt("Owner agency ORI.", RECORD, "ORI")] = None,
    date_from: Annotated[Text, _opt("Occurred on or after (YYYY-MM-DD).", RECORD, "DATE")] = None,
    date_to: Annotated[Text, _opt("Occurred on or before (YYYY-MM-DD).", RECORD, "DATE")] = None,
    location: Annotated[Text, _opt("Where it happened: an address.", RECORD)] = None,
    text: Annotated[Text, _opt("Free text over narratives.", RECORD)] = None,
    all_owners: Annotated[
        bool, typer.Option("--all-owners", help=ALL_OWNERS_HELP, rich_help_panel=SCOPE)
    ] = False,
    page: Annotated[Text, _opt("Page of results (from 1).", SCOPE, "N")] = None,
    page_size: Annotated[
        Text, _opt(f"Hits per page (default 20, at most {MAX_PAGE_SIZE}).", SCOPE, "N")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP, rich_help_panel=SCOPE)] = False,
) -> None:
    """Find a person, or records, across every agency: ranked hits, each with its reasons.

    TEMPORARY: needs --all-owners (the node operator's search) until searches carry a
    request context; the next release derives the scope from data-sharing agreements.
    """
    if not all_owners:
        raise fail(
            None,
            "no scope: pass --all-owners to search every agency's records as the node operator "
            "(temporary, until searches carry a request context)",
        )
    person = given(
        {
            "--last": last,
            "--first": first,
            "--middle": middle,
            "--alias": alias,
            "--dob": dob,
            "--dob-from": dob_from,
            "--dob-to": dob_to,
            "--age-min": age_min,
            "--age-max": age_max,
            "--sex": sex,
            "--race": race,
            "--height-min": height_min,
            "--height-max": height_max,
            "--weight-min": weight_min,
            "--weight-max": weight_max,
            "--phone": phone,
            "--address": address,
            "--mark": mark,
            "--state-id": state_id,
            "--driver-license": driver_license,
            "--plate": plate,
        }
    )
    record = given(
        {
            "--record-type": record_type,
            "--offense": offense,
            "--owner": owner,
            "--date-from": date_from,
            "--date-to": date_to,
            "--location": location,
            "--plate": plate,
            "--phone": phone,
            "--text": text,
        }
    )
    query = build_query(records, person, record)
    page_n = parse_int("--page", page, 1, 1_000_000) if page is not None else 1
    size = parse_int("--page-size", page_size, 1, MAX_PAGE_SIZE) if page_size is not None else 20
    with opened_store(ctx) as store:
        owners = [a.id for a in store.list_agencies()]
        if isinstance(query, RecordQuery) and query.owner and query.owner not in owners:
            raise fail("--owner", f"no agency {query.owner} on this node")
        result = search(store, query, Scope.full_access(owners), page=page_n, page_size=size)
    if as_json:
        emit_json(result_json(query, result))
        return
    if result.hits:
        console.print(results_table(result))
    console.print(escape(summary(result)), soft_wrap=True)
