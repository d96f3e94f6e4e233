"""The property of issue 4, on both engines: whatever the agencies, groups, agreements,
owner policies and requests, no search returns a record, a field or a pointer that an
oracle forbids, and at least a third of the requests disclose something.

The oracle is written from docs/policy.md WITHOUT lexhub.policy: for one request it walks
every record and every person mention and decides, field by field, what may be seen. It
reads the agreements' data but shares no code with the evaluation. The records are random
too (a seeded generator, loaded once per module through ingest, as a feed is); hypothesis
draws everything else per example. Search then runs in `policy.scope(...)` and every hit
is checked against the oracle.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexhub.ingest.load import load_file
from lexhub.ingest.writers import write_jsonl
from lexhub.model import (
    Agency,
    AgencyKind,
    Contact,
    Disclosure,
    Offense,
    OffenseCategory,
    PartialDate,
    Person,
    PersonName,
    Phone,
    Record,
    RecordType,
    Role,
    Sensitivity,
    Withholding,
    offense_categories,
)
from lexhub.model.agreement import Agreement, Group, OwnerPolicy, PolicySnapshot
from lexhub.model.context import Purpose, RequestContext, UserRole
from lexhub.policy import scope
from lexhub.search import Hit, PersonQuery, Query, RecordQuery, search
from lexhub.store import Store, open_store
from tests.search.conftest import new_pg_url  # noqa: F401 (module-scoped databases)

TODAY = date(2026, 6, 1)
AGENCIES = ("WA0170000", "WA0171500", "OR0260200", "DC0000000")
GROUP_NAMES = ("north", "feds")
TYPES = (RecordType.INCIDENT, RecordType.ARREST, RecordType.FIELD_INTERVIEW, RecordType.WARRANT)
SURNAMES = (
    "Abernathy",
    "Bjornstad",
    "Castellanos",
    "Dziedzic",
    "Eberhardt",
    "Fujimoto",
    "Gallagher",
    "Horvath",
    "Ibarra",
    "Jankowski",
    "Kuznetsova",
    "Lindqvist",
)
FIRSTS = ("Ulrike", "Bartholomew", "Priyanka", "Desmond", "Xiomara", "Thaddeus", "Genevieve")
OFFENSES = ("11A", "13A", "220", "35A", "90C", "90Z")
WORDS = ("crowbar", "ladder", "chainsaw", "trombone")
ROLES = (Role.VICTIM, Role.SUSPECT, Role.WITNESS, Role.SUBJECT)
PERSON_FIELDS = ("person.name", "person.dob", "person.descriptors", "person.phones")
RECORD_FIELDS = ("record.narrative", "record.offenses")

# Where a field shows in a hit: keys of the person dict, labels of the evidence.
PERSON_KEYS = {
    "person.name": {"last", "first", "middle", "suffix"},
    "person.aliases": {"aliases", "monikers"},
    "person.dob": {"dob", "age"},
    "person.descriptors": {"sex", "race", "height_in", "weight_lb", "eye", "hair"},
    "person.marks": {"marks"},
    "person.phones": {"phones"},
    "person.addresses": {"addresses"},
    "person.identifiers": {"identifiers"},
}
EVIDENCE = {
    "last name": "person.name",
    "first name": "person.name",
    "middle name": "person.name",
    "alias": "person.aliases",
    "date of birth": "person.dob",
    "age": "person.dob",
    "sex": "person.descriptors",
    "race": "person.descriptors",
    "height": "person.descriptors",
    "weight": "person.descriptors",
    "mark": "person.marks",
    "identifier": "person.identifiers",
    "phone": "person.phones",
    "address": "person.addresses",
    "narrative": "record.narrative",
    "offense": "record.offenses",
    "plate": "record.vehicles",
    "location": "record.locations",
}


# --- the records: random, fixed per run, loaded once per engine --------------------------------


def make_records(seed: int = 4, n: int = 56) -> tuple[Record, ...]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        roles = rng.sample(ROLES, rng.choice((1, 1, 2)))
        persons = tuple(
            Person(
                ref=f"P{j + 1}",
                role=role,
                name=PersonName(rng.choice(SURNAMES), rng.choice(FIRSTS)),
                dob=PartialDate(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                phones=(Phone(f"(206) 555-{1000 + i * 3 + j:04d}"),) if rng.random() < 0.4 else (),
            )
            for j, role in enumerate(roles)
        )
        out.append(
            Record(
                owner=rng.choice(AGENCIES),
                source_id=f"R-{i:03d}",
                type=rng.choice(TYPES),
                occurred=date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                offenses=tuple(Offense(o) for o in rng.sample(OFFENSES, rng.choice((1, 2)))),
                sensitivity=rng.choice(list(Sensitivity)),
                narrative=f"Found a {rng.choice(WORDS)} at the scene."
                if rng.random() < 0.5
                else None,
                persons=persons,
            )
        )
    return tuple(out)


RECORDS = make_records()
BY_SOURCE = {(r.owner, r.source_id): r for r in RECORDS}
AGENCY_ROWS = tuple(
    Agency(a, f"Agency {a}", a[:2], AgencyKind.POLICE, "UTC", Contact(f"Records {a}"))
    for a in AGENCIES
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    directory = tmp_path_factory.mktemp("policy-world")
    url = (
        f"sqlite:///{directory}/w.db"
        if request.param == "sqlite"
        else request.getfixturevalue("new_pg_url")()
    )
    with open_store(url) as store:
        store.migrate()
        with store.transaction() as tx:
            for agency in AGENCY_ROWS:
                tx.put_agency(agency)
            tx.commit()
        for owner in AGENCIES:
            path = directory / f"{owner}.jsonl"
            write_jsonl([r for r in RECORDS if r.owner == owner], path)
            load_file(store, path, workers=0)
        yield store


# --- the oracle: docs/policy.md, record by record and field by field -----------------------------


@dataclass(frozen=True)
class Seen:
    """What the oracle lets one request see of one mention (or record): nothing (None),
    a pointer, or the record with the fields not in `withheld`."""

    disclosure: str | None
    withheld: frozenset[str] = frozenset()


def _rule_hits(rule: Withholding, field: str, role: Role | None, cats: frozenset[str]) -> bool:
    names = set(rule.fields)
    if "person" in names:
        names |= set(PERSON_KEYS) | {"person"}
    if field not in names:
        return False
    if rule.roles is not None and (role is None or role not in rule.roles):
        return False
    return rule.offense_categories is None or bool(
        {c.value for c in rule.offense_categories} & cats
    )


def oracle(
    agency: str, role: UserRole, purpose: Purpose, snap: PolicySnapshot, r: Record, p: Person | None
) -> Seen:
    """`p` None: the record itself (record fields only)."""
    refs = {agency} | {f"group:{g.name}" for g in snap.groups if agency in g.members}
    policy = next((x for x in snap.owner_policies if x.owner == r.owner), None)
    if policy is not None and (
        purpose in policy.prohibited_purposes or refs & set(policy.prohibited_requesters)
    ):
        return Seen(None)
    grants: list[tuple[Sensitivity, Disclosure, tuple[Withholding, ...]]] = []
    if agency == r.owner:
        grants.append((Sensitivity.RESTRICTED, Disclosure.FULL, ()))
    for a in snap.agreements:
        if (
            a.owner == r.owner
            and r.type in a.record_types
            and refs & set(a.grantees)
            and purpose in a.purposes
            and (a.roles is None or role in a.roles)
            and (a.valid_from is None or a.valid_from <= TODAY)
            and (a.valid_to is None or TODAY <= a.valid_to)
        ):
            grants.append((a.max_sensitivity, a.disclosure, a.withhold))
    order = list(Sensitivity)
    if not grants or order.index(r.sensitivity) > max(order.index(g[0]) for g in grants):
        return Seen(None)
    disclosure = "full" if any(g[1] is Disclosure.FULL for g in grants) else "pointer"
    cats = frozenset(c.value for c in offense_categories(o.code for o in r.offenses))
    person_role = None if p is None else p.role
    fields = ("person", *PERSON_KEYS, *RECORD_FIELDS) if p is not None else RECORD_FIELDS
    withheld = set()
    for f in fields:
        by_all = all(any(_rule_hits(x, f, person_role, cats) for x in g[2]) for g in grants)
        by_owner = policy is not None and any(
            _rule_hits(x, f, person_role, cats) for x in policy.withhold
        )
        if by_all or by_owner:
            withheld.add(f)
    if "person" in withheld:
        return Seen(None)
    return Seen(disclosure, frozenset(withheld))


# --- random policies and requests --------------------------------------------------------------


def rules(person_roles: bool) -> st.SearchStrategy[Withholding]:
    person = st.builds(
        Withholding,
        fields=st.frozensets(st.sampled_from(("person", *PERSON_FIELDS)), min_size=1, max_size=2),
        roles=st.none() | st.frozensets(st.sampled_from(ROLES), min_size=1, max_size=2),
        offense_categories=st.none()
        | st.frozensets(st.sampled_from(list(OffenseCategory)), min_size=1, max_size=2),
    )
    record = st.builds(
        Withholding,
        fields=st.frozensets(st.sampled_from(RECORD_FIELDS), min_size=1),
        offense_categories=st.none()
        | st.frozensets(st.sampled_from(list(OffenseCategory)), min_size=1, max_size=2),
    )
    return person | record if person_roles else record


parties = st.sampled_from((*AGENCIES, *(f"group:{g}" for g in GROUP_NAMES)))
purposes = st.sampled_from(
    (Purpose.CRIMINAL_INVESTIGATION, Purpose.OFFICER_SAFETY, Purpose.CIVIL_IMMIGRATION_ENFORCEMENT)
)
days = st.none() | st.sampled_from(
    (date(2026, 1, 1), date(2026, 6, 1), date(2026, 6, 2), date(2026, 5, 31), date(2027, 1, 1))
)


@st.composite
def agreements(draw: st.DrawFn, i: int, requester: str) -> Agreement:
    start, end = draw(days), draw(days)
    if start and end and end < start:
        start, end = end, start
    grantees = draw(st.frozensets(parties, min_size=1, max_size=2))
    if draw(st.booleans()):
        grantees |= {requester}  # so that most requests meet some grant
    return Agreement(
        id=f"a{i}",
        owner=draw(st.sampled_from([a for a in AGENCIES if a != requester])),
        grantees=grantees,
        purposes=draw(st.frozensets(purposes, min_size=1, max_size=3))
        | draw(st.sampled_from((frozenset({Purpose.CRIMINAL_INVESTIGATION}), frozenset()))),
        record_types=draw(st.frozensets(st.sampled_from(TYPES), min_size=1, max_size=4)),
        max_sensitivity=draw(st.sampled_from(list(Sensitivity))),
        disclosure=draw(st.sampled_from(list(Disclosure))),
        withhold=tuple(draw(st.lists(rules(True), max_size=2))),
        roles=draw(
            st.none() | st.none() | st.frozensets(st.sampled_from(list(UserRole)), min_size=1)
        ),
        valid_from=start,
        valid_to=end,
        version=draw(st.integers(1, 3)),
    )


@st.composite
def snapshots(draw: st.DrawFn, requester: str) -> PolicySnapshot:
    n = draw(st.integers(0, 7))
    owners = draw(st.lists(st.sampled_from(AGENCIES), unique=True, max_size=2))
    return PolicySnapshot(
        agencies=frozenset(AGENCIES),
        groups=tuple(
            Group(g, draw(st.frozensets(st.sampled_from(AGENCIES), max_size=3)))
            for g in GROUP_NAMES
        ),
        agreements=tuple(draw(agreements(i, requester)) for i in range(n)),
        owner_policies=tuple(
            OwnerPolicy(
                owner,
                draw(
                    st.sampled_from(
                        (frozenset({Purpose.CIVIL_IMMIGRATION_ENFORCEMENT}),) * 3 + (frozenset(),)
                    )
                ),
                draw(st.frozensets(parties, max_size=1)),
                tuple(draw(st.lists(rules(True), max_size=1))),
            )
            for owner in owners
        ),
    )


def queries_about(r: Record) -> list[Query]:
    out: list[Query] = [RecordQuery(offense=o.code) for o in r.offenses]
    if r.narrative:
        out.append(RecordQuery(text=r.narrative.split()[2]))
    for p in r.persons:
        assert p.dob is not None
        out += [
            PersonQuery(last=p.name.last),
            PersonQuery(last=p.name.last, first=p.name.first, dob=p.dob.iso()),
        ]
        out += [PersonQuery(phone=ph.number) for ph in p.phones]
    return out


@st.composite
def requests(draw: st.DrawFn) -> tuple[PolicySnapshot, str, UserRole, Purpose, list[Query]]:
    """A request, mostly about other owners' records (where a policy has work to do)."""
    agency = draw(st.sampled_from(AGENCIES))
    others = [r for r in RECORDS if r.owner != agency]
    queries = [
        draw(st.sampled_from(queries_about(draw(st.sampled_from(pool)))))
        for pool in draw(st.lists(st.sampled_from((others, others, RECORDS)), min_size=1,
                                  max_size=3))
    ]  # fmt: skip
    return (
        draw(snapshots(agency)),
        agency,
        draw(st.sampled_from((UserRole.INVESTIGATOR, UserRole.ANALYST))),
        draw(st.sampled_from((Purpose.CRIMINAL_INVESTIGATION,) * 2 + (Purpose.OFFICER_SAFETY,)
                             + (Purpose.CIVIL_IMMIGRATION_ENFORCEMENT,) * 2)),
        queries,
    )  # fmt: skip


# --- the check -------------------------------------------------------------------------------


def matches(q: Query, r: Record, p: Person | None, seen: Seen) -> bool:
    """Whether the oracle's visible fields of this mention (or record) could satisfy `q`:
    an upper bound on what may come back as a pointer."""
    if seen.disclosure is None:
        return False
    if isinstance(q, RecordQuery):
        if q.offense:
            return "record.offenses" not in seen.withheld and q.offense in {
                o.code for o in r.offenses
            }
        return "record.narrative" not in seen.withheld and q.text in (r.narrative or "")
    assert p is not None
    if q.phone:
        return "person.phones" not in seen.withheld and q.phone in {ph.number for ph in p.phones}
    return "person.name" not in seen.withheld and p.name.last == q.last


def check_hits(
    hits: tuple[Hit, ...], q: Query, see: Callable[[Record, Person | None], Seen]
) -> None:
    pointers: Counter[tuple[str, str]] = Counter()
    for hit in hits:
        if hit.disclosure is Disclosure.POINTER:
            assert (hit.source_id, hit.record_id, hit.mention_id, hit.person) == (
                None,
                None,
                None,
                {},
            )
            assert hit.evidence == ()
            pointers[(hit.owner, hit.record_type)] += 1
            continue
        r = BY_SOURCE[(hit.owner, str(hit.source_id))]
        assert r.type == hit.record_type
        if hit.mention_id is None:  # a record hit
            seen = see(r, None)
            assert seen.disclosure == "full", f"record {r.source_id} is not to be seen: {seen}"
            shown = {EVIDENCE.get(e.field) for e in hit.evidence}
            assert not shown & seen.withheld, (hit.why, seen)
            continue
        [p] = [x for x in r.persons if x.role.value == hit.person["role"]]
        seen = see(r, p)
        assert seen.disclosure == "full", f"{r.source_id}/{p.ref} is not to be seen: {seen} {hit}"
        for f in seen.withheld:
            assert not PERSON_KEYS.get(f, set()) & set(hit.person), (f, hit.person)
        shown = {EVIDENCE.get(e.field) for e in hit.evidence}
        assert not shown & seen.withheld, (hit.why, seen)
        text = (repr(hit.person) + hit.why).upper()
        if "person.name" in seen.withheld:
            assert p.name.last.upper() not in text, text
        if "person.dob" in seen.withheld and p.dob is not None:
            assert p.dob.iso() not in text, text
    for (owner, rtype), n in pointers.items():
        could = 0
        for r in RECORDS:
            if r.owner != owner or r.type != rtype:
                continue
            if isinstance(q, RecordQuery):
                seen = see(r, None)
                could += seen.disclosure == "pointer" and matches(q, r, None, seen)
            else:
                for p in r.persons:
                    seen = see(r, p)
                    could += seen.disclosure == "pointer" and matches(q, r, p, seen)
        assert n <= could, f"{n} pointer(s) to {owner}/{rtype}, the oracle allows {could}: {q}"


def test_no_search_discloses_what_the_oracle_forbids(world: Store) -> None:
    tally: Counter[str] = Counter()

    @settings(
        max_examples=80,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=requests())
    def check(case: tuple[PolicySnapshot, str, UserRole, Purpose, list[Query]]) -> None:
        snap, agency, role, purpose, queries = case
        context = RequestContext("u1", agency, role, purpose, case_number="26-1")
        s = scope(context, snap, TODAY)

        def see(r: Record, p: Person | None) -> Seen:
            return oracle(agency, role, purpose, snap, r, p)

        for q in queries:
            result = search(world, q, s, page_size=200, today=TODAY)
            check_hits(result.hits, q, see)
            tally["requests"] += 1
            tally["disclosed"] += bool(result.hits)
            tally["full"] += sum(h.disclosure is Disclosure.FULL for h in result.hits)
            tally["pointer"] += sum(h.disclosure is Disclosure.POINTER for h in result.hits)
            tally["foreign"] += sum(h.owner != agency for h in result.hits)

    check()
    assert tally["requests"] >= 80
    assert tally["disclosed"] * 3 >= tally["requests"], tally
    # The hits are not all the requester's own records: grants and pointers were exercised.
    assert tally["foreign"] >= 10 and tally["pointer"] >= 1, tally


def test_the_oracle_catches_a_search_that_ignores_the_policy(world: Store) -> None:
    """Guards the check above: hits from a scope that ignores the policy are caught."""
    from lexhub.model import Scope

    snap = PolicySnapshot(agencies=frozenset(AGENCIES))  # nothing shared
    r = next(r for r in RECORDS if r.owner != AGENCIES[0])
    q = PersonQuery(last=r.persons[0].name.last)
    hits = search(world, q, Scope.full_access(AGENCIES), page_size=200, today=TODAY).hits
    assert hits
    with pytest.raises(AssertionError):
        check_hits(
            hits,
            q,
            lambda rec, p: oracle(
                AGENCIES[0], UserRole.ANALYST, Purpose.CRIMINAL_INVESTIGATION, snap, rec, p
            ),
        )
