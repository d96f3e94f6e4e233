"""`audited_record(with_mentions=True)` on both engines: the mention id of each person the
view shows, in the view's order, and never that of a person withheld as a whole; without
the flag, and in the API's JSON, no ids at all; ids that do not fit the persons shown are
dropped rather than given to the wrong person (fail closed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lexhub.access import audited_record, record_view
from lexhub.model import Grant, RecordType, Role, Sensitivity, Withholding
from lexhub.policy import parse_policies
from lexhub.store import Store
from tests.linkage.region import load_region
from tests.linkage.test_entity_access import CONTEXT, POLICIES
from tests.search.conftest import AGENCIES, A

WITNESSES_WITHHELD = POLICIES.replace(
    f"owner: {A}\n",
    f"owner: {A}\nwithhold:\n  - fields: [person]\n    person_roles: [witness]\n",
    1,
)


def region_under(store: Store, tmp_path: Path, policies: str) -> dict[tuple[str, str], int]:
    """The link-analysis region under `policies`: (source id, person ref) -> mention id."""
    ids = load_region(store, tmp_path)
    docs = parse_policies(policies, "a.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    store.apply_policies(docs, by="test")
    return ids


def test_the_ids_of_the_persons_shown_in_their_order(store: Store, tmp_path: Path) -> None:
    ids = region_under(store, tmp_path, POLICIES)
    view = audited_record(store, CONTEXT, A, "r7", with_mentions=True)
    assert view.mention_ids == tuple(ids[("r7", ref)] for ref in ("P1", "P2", "P3"))
    assert [p["name"]["last"] for p in view.record["persons"]] == ["Hill", "Able", "Fox"]
    plain = audited_record(store, CONTEXT, A, "r7")
    assert plain.mention_ids == () and plain.to_dict() == view.to_dict()
    assert "mention" not in str(view.to_dict())  # the API's answer is unchanged


def test_a_person_withheld_as_a_whole_has_no_id(store: Store, tmp_path: Path) -> None:
    ids = region_under(store, tmp_path, WITNESSES_WITHHELD)
    view = audited_record(store, CONTEXT, A, "r7", with_mentions=True)
    assert view.mention_ids == (ids[("r7", "P1")], ids[("r7", "P2")])
    assert ids[("r7", "P3")] not in view.mention_ids
    assert [p["role"] for p in view.record["persons"]] == ["subject", "subject"]


def test_ids_that_do_not_fit_the_persons_shown_are_dropped(store: Store, tmp_path: Path) -> None:
    region_under(store, tmp_path, POLICIES)
    stored = store.get_record(A, "r7")
    assert stored is not None
    grant = Grant(A, RecordType.ARREST, Sensitivity.RESTRICTED)
    assert len(record_view(stored, grant, [11, 12, 13]).mention_ids) == 3
    assert record_view(stored, grant, [11, 12]).mention_ids == ()
    witness_hidden = replace(
        grant, withhold=(Withholding(frozenset({"person"}), roles=frozenset({Role.WITNESS})),)
    )
    assert record_view(stored, witness_hidden, [11, 12, 13]).mention_ids == ()
    assert record_view(stored, witness_hidden, [11, 12]).mention_ids == (11, 12)
