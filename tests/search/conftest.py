"""A small, hand-built region for the search tests, loaded the way ingest loads a feed.

Each matching case has its target person and realistic near-namesakes (same surname with
another first name, same first name with a close surname, same phone digits under another
area code, the flat next door...), so a test can ask for the right person at the TOP and the
distractors below. All names, numbers and places are fictitious.

The records go through `lexhub.ingest.load.load_file` (JSON Lines written to a temporary
directory), so they are normalized and indexed exactly as a real feed is. `corpus` is
module-scoped and READ-ONLY (a PostgreSQL database per test and a load each would cost a
second a test); tests that change the data use `fresh`, a function-scoped loaded store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from lexhub.ingest.load import load_file
from lexhub.ingest.writers import write_jsonl
from lexhub.model import (
    Address,
    Agency,
    AgencyKind,
    Contact,
    Location,
    Mark,
    Offense,
    PartialDate,
    Person,
    PersonName,
    Phone,
    Record,
    RecordType,
    Role,
    Scope,
    Sensitivity,
    Sex,
    Vehicle,
)
from lexhub.search import Hit, PersonQuery, Query, RecordQuery, SearchResult, search
from lexhub.store import Store, open_store
from tests.conftest import DEFAULT_PG

A = "WA0170000"  # county sheriff: most of the data
B = "WA0171500"  # city police
C = "OR0260200"  # a neighbour across the state line

AGENCIES = (
    Agency(
        A,
        "Example County Sheriff",
        "WA",
        AgencyKind.SHERIFF,
        "America/Los_Angeles",
        Contact("Records Unit", "+12065550100", "records@county.example"),
    ),
    Agency(
        B,
        "Example City Police",
        "WA",
        AgencyKind.POLICE,
        "America/Los_Angeles",
        Contact("Records Desk", "+12065550111", "desk@city.example"),
    ),
    Agency(
        C,
        "Example Valley Police",
        "OR",
        AgencyKind.POLICE,
        "America/Los_Angeles",
        Contact("Detective Division", "+15035550122"),
    ),
)

FI = RecordType.FIELD_INTERVIEW
INC = RecordType.INCIDENT
ARR = RecordType.ARREST


def dob(text: str) -> PartialDate:
    parts = [int(p) for p in text.split("-")]
    return PartialDate(*parts)


def person(
    last: str,
    first: str | None,
    born: str | None = None,
    *,
    sex: Sex | None = None,
    ref: str = "P1",
    role: Role = Role.SUBJECT,
    middle: str | None = None,
    phones: tuple[str, ...] = (),
    addresses: tuple[str, ...] = (),
    marks: tuple[Mark, ...] = (),
    aliases: tuple[PersonName, ...] = (),
    monikers: tuple[str, ...] = (),
) -> Person:
    return Person(
        ref=ref,
        role=role,
        name=PersonName(last, first, middle),
        aliases=aliases,
        monikers=monikers,
        dob=dob(born) if born else None,
        sex=sex,
        phones=tuple(Phone(p) for p in phones),
        addresses=tuple(Address(a) for a in addresses),
        marks=marks,
    )


def record(
    source_id: str,
    *persons: Person,
    owner: str = A,
    type: RecordType = FI,
    occurred: str = "2025-05-01",
    offenses: tuple[str, ...] = ("90Z",),
    sensitivity: Sensitivity = Sensitivity.STANDARD,
    narrative: str | None = None,
    plates: tuple[str, ...] = (),
    locations: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
) -> Record:
    return Record(
        owner=owner,
        source_id=source_id,
        type=type,
        occurred=date.fromisoformat(occurred),
        offenses=tuple(Offense(o) for o in offenses),
        sensitivity=sensitivity,
        narrative=narrative,
        persons=persons,
        vehicles=tuple(Vehicle(plate=p, plate_state="WA") for p in plates),
        locations=tuple(Location("scene", Address(text)) for text in locations),
        phones=tuple(Phone(p) for p in phones),
    )


M, F = Sex.MALE, Sex.FEMALE
SENSITIVE, RESTRICTED = Sensitivity.SENSITIVE, Sensitivity.RESTRICTED
DRAGON_L = Mark("TAT L ARM", "DRAGON")
DRAGON_R = Mark("TAT R ARM", "DRAGON")
ROSE_L = Mark("TAT L ARM", "ROSE")

RECORDS: tuple[Record, ...] = (
    # Typos: a long name with two edits; the near-namesakes share one half of the name.
    record("A-001", person("Kowalczyk", "Theodore", "1979-05-14", sex=M), type=INC,
           offenses=("23H",), occurred="2025-01-10"),
    record("A-002", person("Kowalski", "Theodore", "1985-02-02", sex=M)),
    record("A-003", person("Kowalczyk", "Teresa", "1981-09-09", sex=F), type=ARR,
           offenses=("13B",)),
    record("A-004", person("Morris", "Dana", "1991-08-08", sex=F)),
    record("A-005", person("Morrison", "Dean", "1960-12-12", sex=M)),
    # Short surnames: Li, Ng and Kim must not match every two- or three-letter name.
    record("A-006", person("Li", "Wei", "1990-01-01", sex=M)),
    record("A-007", person("Lee", "Wei", "1975-07-07", sex=M)),
    record("A-008", person("Lu", "Wei", "1992-03-03", sex=M)),
    record("A-009", person("Kim", "Wei", "1986-06-16", sex=F)),
    record("A-010", person("Lim", "Wei", "1979-09-19", sex=M)),
    record("A-011", person("Ng", "Thanh", "1983-04-24", sex=M)),
    record("A-012", person("Nguyen", "Thanh", "1983-05-25", sex=M)),
    record("A-013", person("Ong", "Thanh", "1970-01-31", sex=M)),
    # Phonetic variants.
    record("A-020", person("Smyth", "Gareth", "1970-03-21", sex=M)),
    record("A-021", person("Smith", "John", "1964-08-30", sex=M)),
    record("A-022", person("Smithers", "Gareth", "1990-06-06", sex=M)),
    record("A-023", person("Walsh", "Catherine", "1985-06-17", sex=F, role=Role.VICTIM),
           type=INC, offenses=("13B",)),
    record("A-024", person("Walsh", "Kathleen", "1962-10-02", sex=F)),
    record("A-025", person("Welch", "Catherine", "1999-12-12", sex=F)),
    # Sound-alikes two or more edits apart (Smyth and Catherine are also one edit away).
    record("A-026", person("Neilson", "Geoffrey", "1974-10-14", sex=M)),
    record("A-027", person("Neilson", "Joanna", "1978-01-08", sex=F)),
    record("A-028", person("Nichols", "Jeffrey", "1966-06-26", sex=M)),
    # Nicknames.
    record("A-030", person("Hargrove", "William", "1966-04-04", sex=M), type=ARR,
           offenses=("13A",)),
    record("A-031", person("Hargrove", "Wilma", "1968-02-02", sex=F)),
    record("A-032", person("Harmon", "Bill", "1971-01-21", sex=M)),
    record("A-033", person("Donnelly", "Margaret", "1958-12-01", sex=F), type=INC,
           offenses=("23C",)),
    record("A-034", person("Donnelly", "Megan", "1995-03-14", sex=F)),
    # First and last swapped; initials; compound surnames.
    record("A-040", person("Bernard", "Paul", "1977-07-19", sex=M)),
    record("A-041", person("Paulson", "Bernard", "1959-04-30", sex=M)),
    record("A-042", person("Okafor", "John", "1981-01-15", sex=M)),
    record("A-043", person("Okafor", "Grace", "1983-05-05", sex=F)),
    record("A-044", person("Garcia-Lopez", "Ana", "1993-09-23", sex=F)),
    record("A-045", person("Garza", "Ana", "2000-01-01", sex=F)),
    record("A-046", person("Lopez", "Mateo", "1969-02-14", sex=M)),
    # Aliases and monikers.
    record("A-050", person("Pruitt", "Desmond", "1984-02-20", sex=M,
                           aliases=(PersonName("Carter", "Desmond"),), monikers=("Smoke",))),
    record("A-051", person("Carter", "Dennis", "1980-10-10", sex=M)),
    # Dates of birth: a namesake in another agency, a sibling-like record.
    record("A-060", person("Reyes", "Marisol", "1989-07-03", sex=F), type=ARR,
           offenses=("35A",)),
    record("A-061", person("Reyes", "Jorge", "1989-10-25", sex=M)),
    record("B-060", person("Reyes", "Marisol", "1972-01-30", sex=F), owner=B),
    # Phones: the same last seven digits elsewhere, a transposition next door.
    record("A-070", person("Whitfield", "Andre", "1992-04-18", sex=M,
                           phones=("(503) 555-0172",))),
    record("A-071", person("Ortiz", "Samuel", "1990-09-09", sex=M, phones=("(503) 555-0127",))),
    record("B-070", person("Pham", "Linh", "1987-11-11", sex=F, phones=("360-555-0172",)),
           owner=B),
    record("B-071", person("Whitfield", "Andre", "1992-04-18", sex=M, phones=("503.555.0172",)),
           owner=B, type=ARR, offenses=("35A",), sensitivity=SENSITIVE),
    # Addresses: the same flat written two ways, the flat next door, a digit swap.
    record("A-080", person("Novak", "Irena", "1976-05-25", sex=F,
                           addresses=("123 North Main Street Apt 4",))),
    record("A-081", person("Brennan", "Thomas", "1974-03-03", sex=M,
                           addresses=("123 N Main St Apt 5",))),
    record("A-082", person("Feld", "Oscar", "1981-07-07", sex=M,
                           addresses=("132 N Main St Apt 4",))),
    record("C-080", person("Novak", "Irena", "1976-05-25", sex=F,
                           addresses=("123 N MAIN ST #4",)), owner=C,
           type=RecordType.BOOKING, sensitivity=RESTRICTED),
    # Plates: a misread-prone plate and one that differs by a character that is not folded.
    record("A-090", person("Delgado", "Ruben", "1988-08-18", sex=M, role=Role.DRIVER),
           type=RecordType.CITATION, offenses=("90Z",), plates=("B0S 512",)),
    record("A-091", person("Hale", "Connor", "1993-03-13", sex=M, role=Role.DRIVER),
           type=RecordType.CITATION, plates=("BDS 512",)),
    # Tattoos.
    record("A-100", person("Mercer", "Dale", "1982-02-12", sex=M, marks=(DRAGON_L,))),
    record("A-101", person("Quinn", "Alan", "1979-11-01", sex=M, marks=(DRAGON_R,))),
    record("A-102", person("Soto", "Ramon", "1985-05-15", sex=M, marks=(ROSE_L,))),
    record("A-103", person("Roper", "Wade", "1990-12-03", sex=M,
                           marks=(Mark("TAT R LEG", "COBRA"),))),
    record("A-104", person("Beck", "Tyler", "1991-04-09", sex=M,
                           marks=(Mark("TAT R LEG", "SKULL"),))),
    # A sex offense: the victim's identity is withheld by conditional rules; the suspect's
    # is not. The victim is also a witness in an ordinary theft.
    record("A-110",
           person("Ashby", "Lauren", "1996-02-02", sex=F, role=Role.VICTIM),
           person("Kerr", "Victor", "1979-12-24", sex=M, role=Role.SUSPECT, ref="P2"),
           type=INC, offenses=("11A",), occurred="2025-04-04"),
    record("A-111", person("Ashby", "Lauren", "1996-02-02", sex=F, role=Role.WITNESS),
           type=INC, offenses=("23H",), occurred="2025-04-20"),
    # Sensitivity above a standard grant.
    record("A-120", person("Ingram", "Felix", "1980-03-03", sex=M), type=ARR, offenses=("13A",),
           sensitivity=SENSITIVE),
    record("A-121", person("Ingram", "Felix", "1980-03-03", sex=M), type=RecordType.WARRANT,
           offenses=("13A",), sensitivity=RESTRICTED),
    # The same person in three agencies (scope), twice in B with identical mentions (ties).
    record("B-130", person("Ostrowski", "Helga", "1955-05-05", sex=F), owner=B),
    record("B-131", person("Ostrowski", "Helga", "1955-05-05", sex=F), owner=B),
    record("C-130", person("Ostrowski", "Helga", "1955-05-05", sex=F), owner=C, type=INC),
    # A family: many hits for one surname (pagination).
    *(
        record(f"A-14{i}", person("Hollis", first, f"19{60 + 3 * i}-0{1 + i}-1{i}",
                                  sex=M if i % 2 else F))
        for i, first in enumerate(
            ("Agnes", "Bruno", "Clara", "Derek", "Edith", "Felix", "Gloria", "Howard", "Iris")
        )
    ),
    # Record queries: burglaries with plates, places, phones and narratives.
    record("A-150", person("Vance", "Elliot", "1990-02-22", sex=M, role=Role.SUSPECT),
           type=INC, offenses=("220",), occurred="2025-06-01", plates=("ABC7712",),
           locations=("4410 Lakeview Blvd",), phones=("(206) 555-0188",),
           narrative="Suspect pried the rear door with a crowbar and took power tools."),
    record("A-151", person("Lund", "Petra", "1970-07-27", sex=F, role=Role.VICTIM),
           type=INC, offenses=("220",), occurred="2025-06-15", plates=("ABC3412",),
           locations=("18 Harbor Way",),
           narrative="Garage entered overnight; nothing reported missing."),
    record("A-152", person("Oyelaran", "Tunde", "1987-01-07", sex=M, role=Role.DRIVER),
           type=RecordType.CITATION, offenses=("90Z",), occurred="2025-07-02",
           plates=("ABD7712",), narrative="Expired registration."),
    record("B-150", person("Castro", "Lidia", "1995-09-05", sex=F, role=Role.VICTIM),
           owner=B, type=INC, offenses=("220",), occurred="2025-06-20", plates=("ABC7713",),
           locations=("4410 Lakeview Boulevard",),
           narrative="Shed broken into; a bicycle and a chainsaw were taken."),
)  # fmt: skip

BY_SOURCE: dict[tuple[str, str], Record] = {(r.owner, r.source_id): r for r in RECORDS}


@dataclass(frozen=True)
class Who:
    """A fixture person mention: where it is (owner, source id, ref)."""

    owner: str
    source_id: str
    ref: str = "P1"


def mentions_named(last: str, first: str | None = None) -> set[Who]:
    """Every fixture mention with this name (as the fixture spells it)."""
    return {
        Who(r.owner, r.source_id, p.ref)
        for r in RECORDS
        for p in r.persons
        if p.name.last == last and (first is None or p.name.first == first)
    }


def load_corpus(store: Store, directory: Path, records: tuple[Record, ...] = RECORDS) -> None:
    """Register the agencies and load `records` as ingest does: one batch per owner."""
    with store.transaction() as tx:
        for agency in AGENCIES:
            tx.put_agency(agency)
        tx.commit()
    for owner in sorted({r.owner for r in records}):
        path = directory / f"{owner}-{uuid.uuid4().hex[:8]}.jsonl"
        write_jsonl([r for r in records if r.owner == owner], path)
        load_file(store, path, workers=0)


@pytest.fixture(scope="module")
def new_pg_url(
    _pg_server: psycopg.Connection[tuple[object, ...]] | str,
) -> Iterator[Callable[[], str]]:
    """Make databases that live as long as the test module (the shared `pg_url` is per
    test); each is dropped at the module's end."""
    if isinstance(_pg_server, str):
        if os.environ.get("CI"):
            pytest.fail(f"{_pg_server} (CI is set: PostgreSQL tests must not be skipped)")
        pytest.skip(_pg_server)
    server = _pg_server
    base = urlsplit(os.environ.get("LEXHUB_TEST_PG", DEFAULT_PG))
    made: list[str] = []

    def make() -> str:
        name = f"lexhub_s_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        server.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
        )
        made.append(name)
        return urlunsplit(base._replace(path=f"/{name}"))

    yield make
    for name in made:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _loaded(url: str, directory: Path) -> Store:
    store = open_store(url)
    store.migrate()
    load_corpus(store, directory)
    return store


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The whole fixture region on each engine, loaded once per module. Do not write."""
    directory = tmp_path_factory.mktemp("corpus")
    url = (
        f"sqlite:///{directory}/corpus.db"
        if request.param == "sqlite"
        else request.getfixturevalue("new_pg_url")()
    )
    with _loaded(url, directory) as s:
        yield s


@pytest.fixture(scope="module")
def engines(
    new_pg_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store]]:
    """The fixture region on SQLite and on PostgreSQL at once, to compare their answers."""
    directory = tmp_path_factory.mktemp("engines")
    with (
        _loaded(f"sqlite:///{directory}/corpus.db", directory) as lite,
        _loaded(new_pg_url(), directory) as pg,
    ):
        yield lite, pg


@pytest.fixture
def fresh(store: Store, tmp_path: Path) -> Store:
    """The fixture region in a store of its own, for tests that change the data."""
    load_corpus(store, tmp_path)
    return store


# --- Asking and reading answers -------------------------------------------------------------

EVERYONE = Scope.full_access([A, B, C])
TODAY = date(2026, 1, 15)


def run(
    store: Store,
    query: Query,
    scope: Scope = EVERYONE,
    *,
    page: int = 1,
    page_size: int = 50,
) -> SearchResult:
    """Search with a fixed `today`, so age arithmetic never depends on the calendar."""
    return search(store, query, scope, page=page, page_size=page_size, today=TODAY)


def who(hit: Hit) -> Who:
    """The fixture mention a full hit is about: by the ref the hit carries, else the only
    person of its record, else the role (the one two-person record has two roles)."""
    assert hit.source_id is not None, f"not a full hit: {hit}"
    rec = BY_SOURCE[(hit.owner, hit.source_id)]
    ref = hit.person.get("ref")
    if isinstance(ref, str):
        return Who(hit.owner, hit.source_id, ref)
    if len(rec.persons) == 1:
        return Who(hit.owner, hit.source_id, rec.persons[0].ref)
    role = hit.person.get("role")
    same_role = [p for p in rec.persons if p.role.value == role]
    assert len(same_role) == 1, f"cannot tell which person of {rec.source_id} {hit} is"
    return Who(hit.owner, hit.source_id, same_role[0].ref)


def fixture_person(w: Who) -> Person:
    return next(p for p in BY_SOURCE[(w.owner, w.source_id)].persons if p.ref == w.ref)


def describe(result: SearchResult) -> str:
    """The ranking as a failure message shows it."""
    lines = []
    for hit in result.hits:
        where = f"{hit.owner}/{hit.source_id}" if hit.source_id else f"{hit.owner} (pointer)"
        name = ""
        if hit.source_id:
            p = fixture_person(who(hit))
            name = f"{p.name.last}, {p.name.first}"
        lines.append(f"  {hit.score:.3f} {hit.band.value:8} {where:16} {name:24} {hit.why}")
    return "\n".join(lines) or "  (no hits)"


def assert_top(
    result: SearchResult,
    targets: set[Who],
    below: set[Who] = frozenset(),  # type: ignore[assignment]
    *,
    within: int = 1,
) -> None:
    """A target is the top hit (or all of the first `within` are targets, where the data
    makes a tie natural); every hit on a person of `below` scores strictly lower than the
    best target (ranking below on the id alone would be luck)."""
    full = [h for h in result.hits if h.source_id is not None]
    assert full, f"no hits; wanted {targets}"
    top = [who(h) for h in full[:within]]
    assert all(t in targets for t in top), f"top {within} {top} not in {targets}:\n" + describe(
        result
    )
    best = full[0].score
    for hit in full:
        if who(hit) in below:
            assert hit.score < best, f"{who(hit)} ties or beats the target:\n" + describe(result)


# Queries of every kind, for the properties that hold whatever is asked.
SAMPLE_QUERIES: tuple[Query, ...] = (
    PersonQuery(last="Kovalczyc", first="Theodore"),
    PersonQuery(last="Li"),
    PersonQuery(last="Smith", first="Gareth"),
    PersonQuery(last="Walsh", first="Katherine"),
    PersonQuery(last="Hargrove", first="Bill"),
    PersonQuery(last="Paul", first="Bernard"),
    PersonQuery(last="Okafor", first="J"),
    PersonQuery(last="Garcia", first="Ana"),
    PersonQuery(alias="Smoke"),
    PersonQuery(last="Reyes", first="Marisol", dob="1989-03-07"),
    PersonQuery(phone="555-0172"),
    PersonQuery(address="123 N MAIN ST #4"),
    PersonQuery(plate="8OS5I2"),
    PersonQuery(mark="dragon tattoo on the left arm", sex=Sex.MALE),
    PersonQuery(last="Hollis"),
    PersonQuery(last="Ostrowski", first="Helga", dob="1955-05-05"),
    PersonQuery(last="Ashby", first="Lauren"),
    PersonQuery(last="Ingram", first="Felix", dob="1980-03-03"),
    PersonQuery(last="Whitfield", first="Andre", phone="503-555-0172"),
    RecordQuery(plate="ABC*12"),
    RecordQuery(text="crowbar"),
    RecordQuery(offense="220", date_from=date(2025, 6, 10), date_to=date(2025, 6, 30)),
)
