"""Record retrieval on both engines: the grant decides what of the record is shown, withheld
fields are absent from the view and its JSON, a withheld person leaves no trace, a record
the requester may not have answers exactly as an unknown one, every attempt is audited,
and a database that refuses the audit write gets the requester nothing.

The property tests judge the views with an oracle written here from docs/policy.md, field
by field over the model objects, sharing no code with `lexhub.access.record`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexhub.access import RecordView, audited_record, record_view
from lexhub.errors import AuditWriteFailed, NotFound
from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.model import (
    WITHHOLDABLE,
    Address,
    Disclosure,
    EyeColor,
    Grant,
    HairColor,
    Identifier,
    IdentifierKind,
    Location,
    Mark,
    Offense,
    OffenseCategory,
    PartialDate,
    Person,
    PersonName,
    Phone,
    PhoneKind,
    Purpose,
    Race,
    Record,
    RecordType,
    RequestContext,
    Role,
    Sensitivity,
    Sex,
    UserRole,
    Vehicle,
    Withholding,
    offense_categories,
    record_to_dict,
)
from lexhub.model.agreement import Agreement, OwnerPolicy
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.store import Store, StoredRecord, open_store
from tests.access.refusal import refuse_audit
from tests.search.conftest import (
    AGENCIES,
    INC,
    A,
    B,
    C,
    load_corpus,
    new_pg_url,  # noqa: F401 (module-scoped databases)
    person,
    record,
)
from tests.search.conftest import RECORDS as SEARCH_RECORDS

TODAY = date(2026, 6, 1)

# A record with every field the model has, so every withholdable field has values to leak.
FULL = Record(
    owner=A,
    source_id="A-900",
    type=INC,
    occurred=date(2025, 3, 3),
    reported=date(2025, 3, 4),
    offenses=(Offense("23H", "Theft from building"), Offense("13B", "Simple assault")),
    narrative="Complainant saw the suspect leave through the loading dock with a laptop.",
    persons=(
        Person(
            ref="P1",
            role=Role.SUSPECT,
            name=PersonName("Quillfeather", "Barnaby", "Ignatius", "JR"),
            aliases=(PersonName("Featherquill", "Barney"),),
            monikers=("Quills",),
            dob=PartialDate(1983, 11, 29),
            sex=Sex.MALE,
            race=Race.WHITE,
            height_in=71,
            weight_lb=183,
            eye=EyeColor.HAZEL,
            hair=HairColor.SANDY,
            marks=(Mark("TAT L ARM", "ANCHOR"),),
            phones=(Phone("(206) 555-0199", PhoneKind.MOBILE),),
            addresses=(Address("77 Orchard Lane Apt 9, Seattle, WA 98101"),),
            identifiers=(Identifier(IdentifierKind.STATE_ID, "WA7731904", "WA"),),
        ),
        Person(
            ref="P2",
            role=Role.WITNESS,
            name=PersonName("Ebersole", "Marguerite"),
            dob=PartialDate(1990, 6, 6),
            sex=Sex.FEMALE,
            phones=(Phone("(206) 555-0144"),),
        ),
    ),
    locations=(Location("scene", Address("5000 Dockside Way, Seattle, WA 98104")),),
    vehicles=(
        Vehicle(
            plate="QZX4471",
            plate_state="WA",
            vin="1HGCM82633A004352",
            make="HOND",
            model="ACC",
            color="GRY",
            year=2003,
        ),
    ),  # fmt: skip
    phones=(Phone("(206) 555-0177"),),
)
VICTIM = person("Ashby", "Lauren", "1996-02-02", sex=Sex.FEMALE, role=Role.VICTIM,
                phones=("(360) 555-0161",), addresses=("12 Fern Court",))  # fmt: skip
SUSPECT = person("Kerr", "Victor", "1979-12-24", sex=Sex.MALE, role=Role.SUSPECT, ref="P2")
RECORDS = (
    FULL,
    record("A-910", VICTIM, SUSPECT, type=INC, offenses=("11A",)),  # a sex offense
    record("A-911", SUSPECT, type=INC, offenses=("11A",)),  # the same, without the victim
    record("A-920", person("Okafor", "Chidi", "1985-04-02")),  # field interview: no grant
    record("A-921", person("Okafor", "Chidi", "1985-04-02"), type=INC,
           sensitivity=Sensitivity.SENSITIVE),  # above the grant
    record("A-930", person("Lindgren", "Oskar", "1970-01-01"), type=INC),
    record("A-931", person("Lindgren", "Oskar", "1970-01-01"), type=INC),
    record("B-900", person("Okafor", "Chidi", "1985-04-02"), owner=B, type=INC),  # pointer
)  # fmt: skip

POLICIES = """
id: a-to-c
owner: {a}
grantees: [{c}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident]
max_sensitivity: standard
{withhold}
---
owner_policy:
  owner: {a}
  withhold:
    - fields: [person]
      person_roles: [victim]
      offense_categories: [sex-offense]
---
id: b-to-c
owner: {b}
grantees: [{c}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident]
disclosure: pointer
---
owner_policy:
  owner: {b}
  prohibited_purposes: [civil-immigration-enforcement]
"""
A_SOURCE = f"agreement a-to-c v{{v}} + owner policy of {A} v1"


def _apply(store: Store, withhold: list[str] | None = None) -> None:
    text = POLICIES.format(
        a=A, b=B, c=C, withhold=f"withhold: [{', '.join(withhold)}]" if withhold else ""
    )
    docs = parse_policies(text, "agreements.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    store.apply_policies(docs, by="test")


def _context(purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION) -> RequestContext:
    return RequestContext("analyst1", C, UserRole.ANALYST, purpose, "26-0042")


@pytest.fixture
def node(store: Store, tmp_path: Path) -> Store:
    load_corpus(store, tmp_path, RECORDS)
    _apply(store)
    return store


def _entries(store: Store) -> list[dict[str, Any]]:
    return [json.loads(e.body) for e in store.audit_entries(AuditFilter(), 1000)]


def _get(store: Store, owner: str, source_id: str) -> RecordView:
    return audited_record(store, _context(), owner, source_id, today=TODAY)


def _text(view: RecordView) -> str:
    return json.dumps(view.to_dict(), ensure_ascii=False)


def _without_refs(content: dict[str, Any]) -> dict[str, Any]:
    persons = [{k: v for k, v in p.items() if k != "ref"} for p in content.get("persons", ())]
    return {**content, "persons": persons} if persons else content


# --- the view ---------------------------------------------------------------------------------


def test_a_record_the_grant_withholds_nothing_of_is_shown_whole(node: Store) -> None:
    stored = node.get_record(A, "A-900")
    assert stored is not None and stored.record is not None
    view = _get(node, A, "A-900")
    assert view.record == _without_refs(record_to_dict(stored.record))
    assert view.withheld == ()
    assert (view.owner, view.source_id, view.record_type, view.version) == (
        A, "A-900", "incident", 1,
    )  # fmt: skip
    assert '"ref"' not in _text(view)  # refs would number the persons a view leaves out


# Where each field shows in record_to_dict's form, and a value of FULL's it must not leak.
KEYS = {
    "person.name": ({"name"}, "Quillfeather"),
    "person.aliases": ({"aliases", "monikers"}, "Featherquill"),
    "person.dob": ({"dob"}, "1983-11-29"),
    "person.descriptors": ({"sex", "race", "height_in", "weight_lb", "eye", "hair"}, "HAZ"),
    "person.marks": ({"marks"}, "ANCHOR"),
    "person.phones": ({"phones"}, "555-0199"),
    "person.addresses": ({"addresses"}, "Orchard"),
    "person.identifiers": ({"identifiers"}, "WA7731904"),
    "record.narrative": ({"narrative"}, "loading dock"),
    "record.locations": ({"locations"}, "Dockside"),
    "record.vehicles": ({"vehicles"}, "QZX4471"),
    "record.phones": ({"phones"}, "555-0177"),
    "record.offenses": ({"offenses"}, "Theft from building"),
}


def test_every_withholdable_field_is_covered_here() -> None:
    assert set(KEYS) | {"person"} == set(WITHHOLDABLE)


def test_each_withheld_field_is_absent_from_the_view_and_its_json(node: Store) -> None:
    before = _text(_get(node, A, "A-900"))
    for version, (field, (keys, value)) in enumerate(KEYS.items(), start=2):
        assert value in before, f"FULL has no {field} value to withhold"
        _apply(node, [field])
        view = _get(node, A, "A-900")
        text = _text(view)
        assert value not in text, (field, text)
        if field.startswith("person."):
            assert len(view.record["persons"]) == 2
            for p in view.record["persons"]:
                assert not keys & set(p), (field, p)
            expected = [(field, 0), (field, 1)]  # named for each person, present or not
        else:
            assert not keys & set(view.record), (field, view.record)
            assert "persons" in view.record
            expected = [(field, None)]
        assert [(w.field, w.person) for w in view.withheld] == expected
        assert {w.by for w in view.withheld} == {A_SOURCE.format(v=version)}
        (entry,) = [e for e in _entries(node) if e["kind"] == "retrieval"][-1:]
        assert entry["details"]["withheld"] == [field]


def test_a_withheld_person_leaves_no_trace(node: Store) -> None:
    view = _get(node, A, "A-910")
    text = _text(view)
    for value in ("Ashby", "Lauren", "1996-02-02", "555-0161", "Fern", "victim"):
        assert value not in text, (value, text)
    assert view.withheld == ()
    # Exactly what the same record shows with the victim never in it.
    alone = _get(node, A, "A-911")
    assert {**view.to_dict()["record"], "source_id": ""} == {
        **alone.to_dict()["record"], "source_id": "",
    }  # fmt: skip
    assert view.to_dict()["withheld"] == alone.to_dict()["withheld"] == []
    first, second = [e for e in _entries(node) if e["kind"] == "retrieval"]
    assert first["details"] == second["details"]
    assert "Ashby" not in json.dumps(first) and "victim" not in json.dumps(first)


# --- what may not be seen answers as what does not exist ----------------------------------------


def _refused(store: Store, owner: str, source_id: str, **kw: Any) -> NotFound:
    with pytest.raises(NotFound) as info:
        audited_record(store, kw.get("context", _context()), owner, source_id, today=TODAY)
    return info.value


def _same_answer(store: Store, owner: str, source_id: str) -> None:
    """`owner`/`source_id` is refused exactly as an id that does not exist: the error, and
    the audit entry but for the digest of the (erasable) ids asked for."""
    known = _refused(store, owner, source_id)
    unknown = _refused(store, owner, "NO-SUCH-ID")
    assert type(known) is type(unknown) is NotFound
    assert str(known) == str(unknown).replace("NO-SUCH-ID", source_id)
    assert str(known) == f"no record {owner}/{source_id}"
    *_, a, b = _entries(store)
    for e in (a, b):
        assert e["kind"] == "denied"
        assert "disclosed" not in e and "pointers" not in e
        del e["seq"], e["at"], e["query"]["digest"]
    assert a == b
    assert a["query"] == {"fields": ["id", "owner"]}
    assert a["details"] == {"request": "retrieval"}


def test_a_pointer_grant_answers_as_an_unknown_record(node: Store) -> None:
    _same_answer(node, B, "B-900")


def test_a_record_outside_the_scope_answers_as_an_unknown_record(node: Store) -> None:
    _same_answer(node, A, "A-920")  # a field interview: no grant for the type
    _same_answer(node, A, "A-921")  # sensitive, the grant stops at standard
    _same_answer(node, "WA0000000", "A-930")  # an owner with no agreement
    _same_answer(node, C, "A-930")  # the requester's own agency does not hold it


def test_retracted_and_expunged_records_answer_as_unknown_ones(node: Store) -> None:
    assert _get(node, A, "A-930").source_id == "A-930"
    assert _get(node, A, "A-931").source_id == "A-931"
    retract_records(node, A, ["A-930"])
    expunge_record(node, A, "A-931")
    _same_answer(node, A, "A-930")
    _same_answer(node, A, "A-931")


def test_the_ids_asked_for_are_kept_erasable_not_in_the_chain(node: Store) -> None:
    _refused(node, A, "A-920")
    (entry,) = [e for e in _entries(node) if e["kind"] == "denied"]
    assert "A-920" not in json.dumps(entry)
    (terms,) = node.audit_terms([entry["query"]["digest"]])
    assert json.loads(terms.terms) == {"owner": A, "id": "A-920"}


def test_an_owner_policy_block_is_recorded_whether_or_not_the_record_exists(
    node: Store,
) -> None:
    blocked = _context(Purpose.CIVIL_IMMIGRATION_ENFORCEMENT)
    for source_id in ("B-900", "NO-SUCH-ID"):
        error = _refused(node, B, source_id, context=blocked)
        assert str(error) == f"no record {B}/{source_id}"
    a, b = _entries(node)
    assert a["details"] == b["details"] == {
        "request": "retrieval", "blocked_by_owner_policy": [B],
    }  # fmt: skip
    assert a["context"]["purpose"] == "civil-immigration-enforcement"


def test_the_entry_names_the_record_disclosed_and_is_written_before_returning(
    node: Store,
) -> None:
    view = _get(node, A, "A-900")
    (entry,) = _entries(node)
    assert entry["kind"] == "retrieval"
    assert entry["disclosed"] == [{"owner": A, "id": "A-900", "type": "incident"}]
    assert entry["context"]["user"] == "analyst1" and entry["context"]["agency"] == C
    assert entry["details"] == {"version": view.version, "withheld": [],
                                "grant": A_SOURCE.format(v=1)}  # fmt: skip
    assert "Quillfeather" not in json.dumps(entry)  # no record content in the log


# --- fail closed ----------------------------------------------------------------------------------


def test_when_the_database_refuses_the_audit_write_nothing_is_returned(node: Store) -> None:
    refuse_audit(node)
    returned: list[object] = []
    with pytest.raises(AuditWriteFailed, match="nothing disclosed"):
        returned.append(_get(node, A, "A-900"))
    # A refusal cannot be audited either: the caller gets the audit failure, not NotFound.
    with pytest.raises(AuditWriteFailed):
        returned.append(_get(node, A, "A-920"))
    assert returned == [] and _entries(node) == []


# --- the property: no withheld value in any view ------------------------------------------------

PERSON_KEYS = {f: k for f, (k, _) in KEYS.items() if f.startswith("person.")}
RECORD_KEYS = {f: k for f, (k, _) in KEYS.items() if f.startswith("record.")}
ALL_RECORDS = (*SEARCH_RECORDS, *RECORDS[:2])  # and FULL and the sex offense


def _applies(rule: Withholding, role: Role | None, cats: frozenset[OffenseCategory]) -> bool:
    """docs/policy.md: a rule holds for persons in its roles (any role without them; record
    fields ignore roles) in records with an offense in its categories (any without)."""
    if role is not None and rule.roles is not None and role not in rule.roles:
        return False
    return rule.offense_categories is None or bool(rule.offense_categories & cats)


@dataclass
class Expected:
    record_fields: set[str]
    persons: list[tuple[Person, set[str]]]  # the persons shown, each with its withheld fields
    hidden: list[Person]  # persons withheld whole


def oracle(r: Record, rules: tuple[Withholding, ...]) -> Expected:
    cats = offense_categories(o.code for o in r.offenses)
    record_fields = {
        f for x in rules if _applies(x, None, cats) for f in x.fields if f in RECORD_KEYS
    }
    shown, hidden = [], []
    for p in r.persons:
        fields = {f for x in rules if _applies(x, p.role, cats) for f in x.fields}
        if "person" in fields:
            hidden.append(p)
        else:
            shown.append((p, {f for f in fields if f in PERSON_KEYS}))
    return Expected(record_fields, shown, hidden)


def _name_values(n: PersonName) -> list[Any]:
    return [n.last, n.first, n.middle, n.suffix]


def _phone_values(p: Phone) -> list[Any]:
    return [p.number, p.e164, p.extension, p.kind.value]


def _address_values(a: Address) -> list[Any]:
    return [a.text, a.key, a.kind, *(x for pair in a.components for x in pair)]


def person_values(p: Person) -> dict[str, list[Any]]:
    return {
        "person.name": _name_values(p.name),
        "person.aliases": [v for a in p.aliases for v in _name_values(a)] + list(p.monikers),
        "person.dob": [p.dob.iso() if p.dob else None],
        "person.descriptors": [
            p.sex and p.sex.value,
            p.race and p.race.value,
            p.height_in,
            p.weight_lb,
            p.eye and p.eye.value,
            p.hair and p.hair.value,
        ],  # fmt: skip
        "person.marks": [
            v for m in p.marks for v in (m.code, m.description, m.type, m.side, m.part)
        ],  # fmt: skip
        "person.phones": [v for x in p.phones for v in _phone_values(x)],
        "person.addresses": [v for a in p.addresses for v in _address_values(a)],
        "person.identifiers": [
            v for i in p.identifiers for v in (i.kind.value, i.value, i.issuer)
        ],  # fmt: skip
        "role": [p.role.value],
    }


def record_values(r: Record) -> dict[str, list[Any]]:
    return {
        "always": [r.owner, r.source_id, r.type.value, r.sensitivity.value,
                   r.occurred and r.occurred.isoformat(), r.reported and r.reported.isoformat()],
        "record.narrative": [r.narrative],
        "record.locations": [v for loc in r.locations
                             for v in (loc.role, *_address_values(loc.address))],
        "record.vehicles": [v for x in r.vehicles for v in (x.plate, x.plate_state, x.vin, x.make,
                                                            x.model, x.color, x.year, x.plate_key)],
        "record.phones": [v for x in r.phones for v in _phone_values(x)],
        "record.offenses": [v for o in r.offenses for v in (o.code, o.description)],
    }  # fmt: skip


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def check_view(view: RecordView, r: Record, rules: tuple[Withholding, ...], by: str) -> None:
    """The view shows exactly what the oracle allows, lists what it withheld, and its JSON
    holds no value of a withheld field (unless the same value is visible elsewhere)."""
    want = oracle(r, rules)
    rv = record_values(r)
    allowed = set(rv["always"]) | {view.version, by}
    forbidden = set()
    for f in RECORD_KEYS:
        (forbidden if f in want.record_fields else allowed).update(rv[f])
    listed = [(f, None) for f in sorted(want.record_fields)]
    for i, (p, fields) in enumerate(want.persons):
        allowed |= {i, *fields}
        for f, values in person_values(p).items():
            (forbidden if f in fields else allowed).update(values)
        listed += [(f, i) for f in sorted(fields)]
    for p in want.hidden:
        for values in person_values(p).values():
            forbidden.update(values)
    allowed |= want.record_fields
    allowed.discard(None)
    forbidden -= allowed | {None}

    data = view.to_dict()
    text = json.dumps(data, ensure_ascii=False)
    leaves = set(_leaves(data))
    assert leaves <= allowed, (r.source_id, leaves - allowed)
    visible_text = [a for a in allowed if isinstance(a, str)]
    for v in forbidden:
        if isinstance(v, str):
            assert json.dumps(v, ensure_ascii=False) not in text, (r.source_id, v, text)
            if len(v) >= 4 and not any(v in a for a in visible_text):
                assert v not in text, (r.source_id, v, text)
    # Structure: the persons shown, in order, each without its withheld keys.
    shown = data["record"].get("persons", [])
    assert len(shown) == len(want.persons), (r.source_id, shown)
    for got, (p, fields) in zip(shown, want.persons, strict=True):
        assert got["role"] == p.role.value
        for f in fields:
            assert not PERSON_KEYS[f] & set(got), (f, got)
    for f in want.record_fields:
        assert not RECORD_KEYS[f] & set(data["record"]), (f, data["record"])
    assert [(w.field, w.person) for w in view.withheld] == listed
    assert all(w.by == by for w in view.withheld)


ROLES = (Role.VICTIM, Role.SUSPECT, Role.WITNESS, Role.SUBJECT, Role.DRIVER)
rules = st.builds(
    Withholding,
    fields=st.frozensets(st.sampled_from(sorted(WITHHOLDABLE)), min_size=1, max_size=3),
    roles=st.none() | st.frozensets(st.sampled_from(ROLES), min_size=1, max_size=2),
    offense_categories=st.none()
    | st.frozensets(st.sampled_from(list(OffenseCategory)), min_size=1, max_size=2),
)
rule_sets = st.lists(rules, max_size=3).map(tuple)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def region(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The search fixture's records and FULL on each engine, loaded once per module."""
    directory = tmp_path_factory.mktemp("records")
    url = (
        f"sqlite:///{directory}/r.db"
        if request.param == "sqlite"
        else request.getfixturevalue("new_pg_url")()
    )
    with open_store(url) as store:
        store.migrate()
        load_corpus(store, directory, ALL_RECORDS)
        yield store


def _stored(store: Store) -> list[tuple[StoredRecord, Record]]:
    out = []
    for r in ALL_RECORDS:
        stored = store.get_record(r.owner, r.source_id)
        assert stored is not None and stored.record is not None
        out.append((stored, stored.record))  # as normalized and stored: e164, keys...
    return out


PROPERTY = settings(
    deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip


def test_no_withheld_value_appears_in_any_view(region: Store) -> None:
    """Random withholding rules over every stored fixture record (the view builder)."""
    records = _stored(region)
    seen = {"hidden": 0, "fields": 0}

    @settings(PROPERTY, max_examples=150)
    @given(withhold=rule_sets)
    def check(withhold: tuple[Withholding, ...]) -> None:
        for stored, r in records:
            grant = Grant(r.owner, r.type, Sensitivity.RESTRICTED, Disclosure.FULL, withhold,
                          "agreement p v1")  # fmt: skip
            view = record_view(stored, grant)
            check_view(view, r, withhold, "agreement p v1")
            seen["hidden"] += len(r.persons) - len(view.record.get("persons", []))
            seen["fields"] += len(view.withheld)

    check()
    assert seen["hidden"] > 0 and seen["fields"] > 0, seen  # the rules did withhold


def test_no_withheld_value_appears_in_any_audited_retrieval(region: Store) -> None:
    """Random rules in an agreement and the owner's policy, applied and evaluated by
    policy, retrieved through `audited_record`: the grant's rules are the union of both."""
    targets = [(s, r) for s, r in _stored(region) if r.owner == A][::4] + _stored(region)[-2:]
    versions = {"a": 0, "p": 0}

    @settings(PROPERTY, max_examples=12)
    @given(agreed=rule_sets, owner_rules=rule_sets)
    def check(agreed: tuple[Withholding, ...], owner_rules: tuple[Withholding, ...]) -> None:
        agreement = Agreement("a-to-c-prop", A, frozenset({C}),
                              frozenset({Purpose.CRIMINAL_INVESTIGATION}), frozenset(RecordType),
                              Sensitivity.RESTRICTED, Disclosure.FULL, agreed)  # fmt: skip
        policy = OwnerPolicy(A, withhold=owner_rules)
        for doc, key in ((agreement, "a"), (policy, "p")):
            if region.apply_policies([(doc, "generated")], by="test")[0][1]:
                versions[key] += 1
        by = f"agreement a-to-c-prop v{versions['a']}"
        if owner_rules:
            by += f" + owner policy of {A} v{versions['p']}"
        for _, r in targets:
            view = audited_record(region, _context(), r.owner, r.source_id, today=TODAY)
            check_view(view, r, (*agreed, *owner_rules), by)

    check()


def test_the_oracle_catches_a_view_that_ignores_the_rules(region: Store) -> None:
    """Guards the property: a view built under no rules fails the check of a rule set."""
    stored, r = next((s, r) for s, r in _stored(region) if r.source_id == "A-900")
    rule = (Withholding(frozenset({"person.dob"})),)
    view = record_view(stored, Grant(A, INC, Sensitivity.RESTRICTED, Disclosure.FULL, (), "x"))
    with pytest.raises(AssertionError):
        check_view(view, r, rule, "x")


def test_record_view_refuses_a_grant_that_does_not_disclose_the_record(region: Store) -> None:
    stored = region.get_record(A, "A-900")
    assert stored is not None
    bad: list[Callable[[], Grant]] = [
        lambda: Grant(A, RecordType.ARREST, Sensitivity.RESTRICTED),
        lambda: Grant(B, INC, Sensitivity.RESTRICTED),
        lambda: Grant(A, INC, Sensitivity.RESTRICTED, Disclosure.POINTER),
    ]
    for make in bad:
        with pytest.raises(ValueError, match="does not disclose"):
            record_view(stored, make())
