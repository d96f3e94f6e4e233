"""search(store, query, scope): plan, candidates inside the scope, score, rank, page.

Candidates come from the store (blocking keys shared by both engines, inside the scope),
at most CANDIDATES per query, best key evidence first; scoring and explanation happen here,
identically for both engines, so the same query gives the same hits on either. A hit is
built from the fields its grant discloses: a `pointer` hit carries only the owner, the
record type and the owner's contact.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from lexhub.errors import QueryError
from lexhub.model import Address, Agency, Contact, Disclosure, Grant, Phone, Scope
from lexhub.normalize import (
    compact,
    normalize_address,
    normalize_phone,
    phone_keys,
    plate_lookup,
    street_key,
)
from lexhub.search.plan import PersonPlan, one_digit_variants, plan_person, plate_pattern
from lexhub.search.query import PersonQuery, Query, RecordQuery
from lexhub.search.result import Band, Evidence, Hit, SearchResult
from lexhub.search.score import Scored, dob_decides, score_mention
from lexhub.store import MentionRow, Narrowing, RecordFilter, Store

__all__ = ["CANDIDATES", "MAX_PAGE_SIZE", "search"]

CANDIDATES = 200  # mentions scored per query
MAX_PAGE_SIZE = 200


def search(
    store: Store,
    query: Query,
    scope: Scope,
    *,
    page: int = 1,
    page_size: int = 20,
    today: date | None = None,
) -> SearchResult:
    """Hits for `query` inside `scope`, ranked by score (ties by id), one page of them.
    An empty scope returns nothing without reading data."""
    if page < 1:
        raise QueryError("page", "must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    if query.is_empty:
        raise QueryError("query", "give at least one field to search by")
    today = today or datetime.now(UTC).date()
    if isinstance(query, RecordQuery):
        return _search_records(store, query, scope, page, page_size)
    return _search_people(store, query, scope, page, page_size, today)


def _search_people(
    store: Store, q: PersonQuery, scope: Scope, page: int, page_size: int, today: date
) -> SearchResult:
    if scope.empty:
        return SearchResult((), page, page_size, 0, 0)
    plan = plan_person(store, q, today)
    narrowing = _born_near(plan, plan.narrowing) if dob_decides(plan) else plan.narrowing
    found = store.find_mentions(
        plan.probes, scope, CANDIDATES, _visible_narrowing(narrowing, scope)
    )
    rows = store.mention_rows([mention_id for mention_id, _ in found])
    plates = store.record_keys_of([r.record_id for r in rows], ["plate"]) if plan.plate else {}
    scored: list[tuple[float, int, MentionRow, Grant, frozenset[str], Scored]] = []
    for row in rows:
        grant = scope.grant(row.owner, row.type)
        if grant is None:  # the store returned a row outside the scope: never disclose it
            continue
        withheld = grant.withheld(row.role, row.offense_categories) if grant.withhold else _NONE
        if "person" in withheld:
            continue
        result = score_mention(
            plan, row, withheld, [k for _, k in plates.get(row.record_id, [])], today
        )
        if result.band is not None:
            scored.append((-result.score, row.id, row, grant, withheld, result))
    seen = _seen_with_vehicle([(item[2], item[4]) for item in scored]) if plan.plate else {}
    scored.sort(key=lambda item: (item[0], -seen.get(item[1], 1), item[1]))
    again = _repeats([(item[0], item[2], item[4]) for item in scored])
    scored.sort(key=lambda item: (item[0], item[1] in again))  # stable: keeps the order above
    start = (page - 1) * page_size
    contacts = _contacts(store, scope)
    hits = tuple(
        _person_hit(row, grant, withheld, result, contacts)
        for _, _, row, grant, withheld, result in scored[start : start + page_size]
    )
    return SearchResult(hits, page, page_size, len(scored), len(rows), scope.owners)


_NONE: frozenset[str] = frozenset()


def _seen_with_vehicle(rows: list[tuple[MentionRow, frozenset[str]]]) -> dict[int, int]:
    """For a plate query, per mention: on how many of the candidates' records its name
    appears. A plate fragment fits many vehicles and every person of a record gets the
    record's plate alike; among hits that score the same, the person seen with the
    vehicle again and again (its usual driver) is a better bet than a one-time owner,
    passenger or witness, whom ids alone would put first. Withheld names do not count."""
    records: dict[tuple[str, str], set[int]] = {}
    named: dict[int, tuple[str, str]] = {}
    for row, withheld in rows:
        if "person.name" in withheld or not row.last:
            continue
        key = (row.last, row.first or "")
        named[row.id] = key
        records.setdefault(key, set()).add(row.record_id)
    return {mention: len(records[key]) for mention, key in named.items()}


def _repeats(ranked: list[tuple[float, MentionRow, frozenset[str]]]) -> set[int]:
    """The mentions (in rank order) that repeat, at the same score, the visible name and
    date of birth of a mention ranked before them. Among hits that score alike, each such
    person comes once before anyone comes again: a person on a dozen records (a plate's
    usual driver, a much-arrested namesake) would otherwise fill the page with their own
    mentions and push everyone else who fits as well off it. Ties are then broken by id
    as before. Only fields the requester sees are compared; a withheld name never groups."""
    shown: set[tuple[float, str, str, str | None]] = set()
    out: set[int] = set()
    for score, row, withheld in ranked:
        if "person.name" in withheld or not row.last:
            continue
        dob = None if "person.dob" in withheld else row.dob
        key = (score, row.last, row.first or "", dob)
        if key in shown:
            out.add(row.id)
        shown.add(key)
    return out


def _born_near(plan: PersonPlan, narrowing: Narrowing | None) -> Narrowing:
    """`narrowing` and the dates of birth that can still make a hit when the date typed
    decides (score.dob_decides): unknown, the same year (day and month transposed, the
    same year and month, a year recorded alone), or one digit out in the year. A mention
    born in another year cannot reach `possible`; reading and scoring it only took a
    place among the CANDIDATES from someone who could (a SMITH without a date of birth,
    for "Smith, born 1990-03-04", where thousands of SMITHs hold the surname key)."""
    assert plan.dob is not None
    year = int(plan.dob[:4])
    other_years = tuple(d for d in one_digit_variants(plan.dob) if int(d[:4]) != year)
    return replace(narrowing or Narrowing(), born_near_year=year, born_near_dates=other_years)


def _visible_narrowing(narrowing: Narrowing | None, scope: Scope) -> Narrowing | None:
    """`narrowing` without the parts any grant of `scope` may withhold: a mention left out
    because of its withheld date of birth or sex would reveal that field (fail closed:
    any withholding rule naming the field, whatever its conditions, drops that part)."""
    if narrowing is None:
        return None
    withheld = {f for g in scope.grants for rule in g.withhold for f in rule.fields}
    if "person" in withheld:
        return None
    sex = None if "person.descriptors" in withheld else narrowing.sex
    if "person.dob" in withheld:
        return Narrowing(sex) if sex else None
    return replace(narrowing, sex=sex)


def _contacts(store: Store, scope: Scope) -> dict[str, Contact]:
    if all(g.disclosure == Disclosure.FULL for g in scope.grants):
        return {}
    agencies: list[Agency] = store.list_agencies()
    return {a.id: a.contact for a in agencies if a.id in scope.owners}


def _person_hit(
    row: MentionRow,
    grant: Grant,
    withheld: frozenset[str],
    result: Scored,
    contacts: dict[str, Contact],
) -> Hit:
    assert result.band is not None
    if grant.disclosure == Disclosure.POINTER:
        return Hit(result.score, result.band, Disclosure.POINTER, row.owner, row.type,
                   contact=contacts.get(row.owner))  # fmt: skip
    return Hit(
        result.score, result.band, Disclosure.FULL, row.owner, row.type, row.occurred,
        row.record_id, row.source_id, row.id, visible_person(row, withheld),
        tuple(result.evidence),
    )  # fmt: skip


def visible_person(row: MentionRow, withheld: frozenset[str]) -> dict[str, object]:
    """The mention's fields the requester may see; withheld ones are left out entirely."""
    p = row.profile
    out: dict[str, object] = {"role": row.role}
    if "person.name" not in withheld:
        out.update(
            {k: v for k, v in (("last", row.last), ("first", row.first),
                               ("middle", row.middle), ("suffix", p.get("sfx"))) if v}
        )  # fmt: skip
    if "person.aliases" not in withheld:
        if p.get("a"):
            out["aliases"] = [", ".join(x for x in (a[0], " ".join(a[1:]).strip()) if x)
                              for a in p["a"]]  # fmt: skip
        if p.get("m"):
            out["monikers"] = list(p["m"])
    if "person.dob" not in withheld and row.dob:
        out["dob"] = row.dob
    if "person.descriptors" not in withheld:
        out.update(
            {k: v for k, v in (("sex", row.sex), ("race", row.race), ("height_in", row.height_in),
                               ("weight_lb", row.weight_lb), ("eye", p.get("eye")),
                               ("hair", p.get("hair"))) if v is not None}
        )  # fmt: skip
    if "person.marks" not in withheld and p.get("mk"):
        out["marks"] = [" ".join(x for x in (m[0], m[4]) if x) for m in p["mk"]]
    if "person.phones" not in withheld and p.get("ph"):
        out["phones"] = list(p["ph"])
    if "person.addresses" not in withheld and p.get("ad"):
        out["addresses"] = [a[2] for a in p["ad"]]
    if "person.identifiers" not in withheld and p.get("id"):
        out["identifiers"] = [f"{i[0]} {i[1]} {i[2]}".replace("  ", " ") for i in p["id"]]
    return out


def _search_records(
    store: Store, q: RecordQuery, scope: Scope, page: int, page_size: int
) -> SearchResult:
    if scope.empty:
        return SearchResult((), page, page_size, 0, 0)
    rf = _record_filter(q)
    rows, total = store.find_records(rf, scope, page_size, (page - 1) * page_size)
    contacts = _contacts(store, scope)
    top = max((r.relevance for r in rows), default=0.0)
    hits: list[Hit] = []
    for row in rows:
        grant = scope.grant(row.owner, row.type)
        if grant is None:
            continue
        score = 1.0 if rf.text is None or top <= 0 else round(0.5 + 0.5 * row.relevance / top, 4)
        if grant.disclosure == Disclosure.POINTER:
            hits.append(Hit(score, Band.LIKELY, Disclosure.POINTER, row.owner, row.type,
                            contact=contacts.get(row.owner)))  # fmt: skip
            continue
        evidence = tuple(
            Evidence(name, f"{name}: {text}", 1.0) for name, text in _record_reasons(q)
        )
        hits.append(Hit(score, Band.LIKELY, Disclosure.FULL, row.owner, row.type, row.occurred,
                        row.id, row.source_id, None, {}, evidence))  # fmt: skip
    return SearchResult(tuple(hits), page, page_size, total, total, scope.owners)


def _record_filter(q: RecordQuery) -> RecordFilter:
    location: tuple[tuple[str, str], ...] = ()
    if q.location:
        address = normalize_address(Address(q.location))
        street = street_key(q.location)
        location = tuple(
            dict.fromkeys(
                [("addr", k) for k in (address.key, street) if k]
                + [("street", k) for k in (address.key, street) if k]
            )
        )
        if not location:
            raise QueryError("location", f'"{q.location}" is not an address lexhub can read')
    phones: tuple[tuple[str, str], ...] = ()
    if q.phone:
        phones = tuple(phone_keys(normalize_phone(Phone(q.phone))))
        if not phones:
            raise QueryError("phone", f'"{q.phone}" has fewer than seven digits')
        phones = tuple(k for k in phones if k[0] == "ph") or phones
    plate = None
    if q.plate:
        key, is_pattern = plate_pattern(q.plate)
        if not key.strip("%_"):
            raise QueryError("plate", "give at least one letter or digit")
        plate = key if is_pattern else key.replace("%", "").replace("_", "")
    text = q.text.strip() if q.text else None
    if q.text is not None and not compact(q.text):
        raise QueryError("text", "give at least one word")
    return RecordFilter(
        record_type=q.record_type.value if q.record_type else None,
        offense=q.offense, owner=q.owner, date_from=q.date_from, date_to=q.date_to,
        location_keys=location, phone_keys=phones, plate=plate, text=text,
        plate_lookup=plate_lookup(plate) if plate is not None else None,
    )  # fmt: skip


def _record_reasons(q: RecordQuery) -> list[tuple[str, str]]:
    reasons: list[tuple[str, str]] = []
    if q.record_type:
        reasons.append(("record type", q.record_type.value))
    if q.offense:
        reasons.append(("offense", q.offense.upper()))
    if q.owner:
        reasons.append(("owner", q.owner))
    if q.date_from or q.date_to:
        reasons.append(("date", f"{q.date_from or '…'} to {q.date_to or '…'}"))
    if q.location:
        reasons.append(("location", f"address matches {q.location}"))
    if q.plate:
        reasons.append(("plate", f"fits {q.plate} (O/0, I/1, B/8, S/5 alike)"))
    if q.phone:
        reasons.append(("phone", f"matches {q.phone}"))
    if q.text:
        reasons.append(("narrative", f"contains every word of “{q.text}”"))
    return reasons
