"""A hand-built region for link analysis: people who share records, phones, addresses and
plates, with stored links that tie some mentions into entities, on either engine.

Every record has an (owner, type) of its own, so a Scope can hide any set of records by
leaving out their grants. `ANN` (three mentions) is the entity under test; `HANK` (in
`r7`) is linked to Bob and to Dee, so when `r7` is visible Bob and Dee are one person.
All names, numbers and places are fictitious.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from lexhub.model import Grant, RecordType, Role, Scope, Sensitivity, Withholding
from lexhub.store import Store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS, LinkRow
from tests.search.conftest import AGENCIES, A, B, C, load_corpus, person, record

INC, ARR, FI = RecordType.INCIDENT, RecordType.ARREST, RecordType.FIELD_INTERVIEW
BOOK, CIT, WAR = RecordType.BOOKING, RecordType.CITATION, RecordType.WARRANT
PHONE, OTHER_PHONE = "+12065550142", "+12065550177"
HOME, SHELTER = "12 Alder St, Example WA 98001", "400 Birch Ave, Example WA 98002"
PLATE = "ABC1234"

RECORDS = (
    record("r1", person("Able", "Ann", "1990-01-01", phones=(PHONE,), addresses=(HOME,)),
           person("Cole", "Cy", "1988-02-02", ref="P2", role=Role.WITNESS), owner=A, type=FI),
    record("r2", person("Able", "Ann", "1990-01-01"), owner=B, type=INC, plates=(PLATE,)),
    record("r3", person("Baker", "Bob", "1985-03-03", phones=(PHONE,)), owner=C, type=ARR),
    record("r4", person("Baker", "Bob", "1985-03-03", addresses=(SHELTER,)), owner=A, type=INC),
    record("r5", person("Dunn", "Dee", "1979-04-04"), owner=B, type=FI, plates=(PLATE,)),
    record("r6", person("Ezra", "Eve", "1992-05-05", addresses=(HOME,)), owner=C, type=FI),
    record("r7", person("Hill", "Hank", "1970-06-06"), person("Able", "Ann", "1990-01-01",
           ref="P2"), person("Fox", "Fay", "1993-07-07", ref="P3", role=Role.WITNESS), owner=A,
           type=ARR),
    record("r8", person("Gray", "Gus", "1966-08-08", phones=(OTHER_PHONE,),
           addresses=(SHELTER,)), owner=B, type=ARR),
)  # fmt: skip
WHERE = {r.source_id: (r.owner, r.type) for r in RECORDS}
# A minimal trained model: one comparison, so the evidence adds up by hand.
MODEL = json.dumps(
    {
        "probability_two_random_records_match": 0.001,
        "comparisons": [
            {
                "output_column_name": "surname",
                "comparison_levels": [
                    {"is_null_level": True, "label_for_charts": "null"},
                    {"label_for_charts": "exact", "m_probability": 0.9, "u_probability": 0.01},
                    {"label_for_charts": "else", "m_probability": 0.1, "u_probability": 0.99},
                ],
            }
        ],
    }
)
THRESHOLD = 4.0


def mention_ids(store: Store) -> dict[tuple[str, str], int]:
    """(source id, person ref) -> mention id."""
    src, ref = LINKAGE_COLUMNS.index("source_id"), LINKAGE_COLUMNS.index("ref")
    return {(row[src], row[ref]): int(row[0]) for row in store.linkage_mentions()}


def _pair(ids: dict[tuple[str, str], int], a: tuple[str, str], b: tuple[str, str]) -> LinkRow:
    x, y = sorted((ids[a], ids[b]))
    return LinkRow(x, y, 9.5, 0.999, {"surname": 1})


def load_region(store: Store, directory: Path) -> dict[tuple[str, str], int]:
    """Load the records and save the links: Ann r1-r2, r2-r7; Bob r3-r4; Hank-Bob, Hank-Dee."""
    load_corpus(store, directory, RECORDS)
    assert {a.id for a in AGENCIES} >= {A, B, C}
    ids = mention_ids(store)
    links = [
        _pair(ids, ("r1", "P1"), ("r2", "P1")),
        _pair(ids, ("r2", "P1"), ("r7", "P2")),
        _pair(ids, ("r3", "P1"), ("r4", "P1")),
        _pair(ids, ("r7", "P1"), ("r3", "P1")),
        _pair(ids, ("r7", "P1"), ("r5", "P1")),
    ]
    groups = [{("r1", "P1"), ("r2", "P1"), ("r7", "P2")},
              {("r3", "P1"), ("r4", "P1"), ("r7", "P1"), ("r5", "P1")}]  # fmt: skip
    members = []
    for key, mid in ids.items():
        entity = next((n + 1 for n, g in enumerate(groups) if key in g), 100 + mid)
        members.append((mid, entity, None))
    store.linkage_save(MODEL, THRESHOLD, {}, links, members, datetime.now(UTC))
    return ids


def scope_without(
    hidden: Sequence[str] = (),
    withhold: dict[str, frozenset[str]] | None = None,
    witnesses: Sequence[str] = (),
) -> Scope:
    """Full access to every record but the `hidden` ones, with each record's grant
    withholding the fields `withhold` names for it, and in the `witnesses` records the
    whole person of every witness (a rule conditioned on the role)."""
    withhold = withhold or {}
    grants = []
    for source, (owner, rtype) in WHERE.items():
        if source in hidden:
            continue
        rules = (Withholding(withhold[source]),) if withhold.get(source) else ()
        if source in witnesses:
            rules += (Withholding(frozenset({"person"}), roles=frozenset({Role.WITNESS})),)
        grants.append(Grant(owner, rtype, Sensitivity.RESTRICTED, withhold=rules))
    return Scope(tuple(grants))
