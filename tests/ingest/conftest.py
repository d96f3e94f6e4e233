"""Small, obviously fictitious records and batch files for the loader's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import pytest

from lexhub.ingest.writers import write_jsonl
from lexhub.model import (
    Address,
    Agency,
    AgencyKind,
    Contact,
    Mark,
    Offense,
    PartialDate,
    Person,
    PersonName,
    Phone,
    Record,
    RecordType,
    Role,
    Sex,
    Vehicle,
)
from lexhub.store import Store

OWNER = "WA0170000"
OTHER = "WA0171500"


def make_record(
    source_id: str,
    owner: str = OWNER,
    last: str = "Testperson",
    first: str = "Alma",
    narrative: str = "Subject stopped near the park.",
) -> Record:
    person = Person(
        ref="P1",
        role=Role.SUSPECT,
        name=PersonName(last, first, "Q"),
        dob=PartialDate(1988, 4, 12),
        sex=Sex.FEMALE,
        phones=(Phone("(206) 555-0142"),),
        addresses=(Address("1200 N Example Ave Apt 4"),),
        marks=(Mark(None, "tattoo of a rose on left forearm"),),
    )
    return Record(
        owner=owner,
        source_id=source_id,
        type=RecordType.FIELD_INTERVIEW,
        occurred=date(2026, 3, 1),
        offenses=(Offense("90Z"),),
        narrative=narrative,
        persons=(person,),
        vehicles=(Vehicle(plate="ABC-1234", plate_state="WA"),),
    )


@pytest.fixture
def region(store: Store) -> Store:
    with store.transaction() as tx:
        for ori, name in ((OWNER, "Example County Sheriff"), (OTHER, "Example City Police")):
            tx.put_agency(
                Agency(
                    ori,
                    name,
                    "WA",
                    AgencyKind.POLICE,
                    "America/Los_Angeles",
                    Contact("Records Unit", "+12065550100"),
                )
            )
        tx.commit()
    return store


@pytest.fixture
def batch_file(tmp_path: Path) -> Callable[..., Path]:
    def write(
        records: Iterable[Record], name: str = "batch.jsonl", extra_lines: Iterable[str] = ()
    ) -> Path:
        path = tmp_path / name
        write_jsonl(records, path)
        with open(path, "a", encoding="utf-8") as f:
            for line in extra_lines:
                f.write(line + "\n")
        return path

    return write
