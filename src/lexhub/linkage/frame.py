"""The mentions extract: every indexed mention as one row of normalized fields for Splink.

The store already holds each mention's folded name, date of birth and the normalized
profile (E.164 phones, address keys, SMT codes, identifiers), so nothing is re-parsed:
this module only reshapes them into the columns the comparisons read, and derives the
name keys (Double Metaphone codes, nickname groups) with `lexhub.normalize`, so linkage
and search agree on what a "phonetic" or "nickname" match is. Empty lists become NULL so
that Splink treats a missing field as no evidence rather than as a disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import orjson
import pandas as pd

from lexhub.normalize import compact, nickname_group, phonetic_keys
from lexhub.store.linkage_sql import LINKAGE_COLUMNS

__all__ = ["FRAME_COLUMNS", "mention_frame"]

FRAME_COLUMNS = (
    "unique_id", "owner", "type", "sensitivity", "role", "offcats", "first_name", "surname",
    "first_nick", "first_dm", "surname_dm", "surname_dm1", "dob", "dob_year", "sex", "phones",
    "addresses", "buildings", "postcodes", "postcode_numbers", "streets", "building",
    "identifiers", "marks", "aliases",
)  # fmt: skip

_IDX = {name: i for i, name in enumerate(LINKAGE_COLUMNS)}


# Names repeat (a region of a million mentions holds some tens of thousands of distinct
# names), so their keys are derived once per name, not once per mention. The lists are
# shared between rows and MUST NOT be mutated.
@lru_cache(maxsize=1 << 18)
def _dm(name: str | None) -> list[str] | None:
    codes = [k[3:] for k in phonetic_keys(name) if k.startswith("dm:")] if name else []
    return codes or None


@lru_cache(maxsize=1 << 18)
def _nick(first: str | None) -> list[str] | None:
    return sorted(nickname_group(first)) or None if first else None


def _listed(values: Iterable[str]) -> list[str] | None:
    out = sorted({v for v in values if v})
    return out or None


# A postcode closes the address text: a US ZIP (ZIP+4 kept to its five digits) or a
# four-digit postcode (FEBRL's Australian ones). Searched only after the last comma or, with
# no comma, in the last word, so a house number is never mistaken for one.
_POSTCODE = re.compile(r"(?:^|[\s,])(\d{4,5})(?:-\d{4})?\s*$")
_NUMBER = re.compile(r"^(\d+[A-Z]?)(?:-\d+)?\s+(.+)$")


def _address_parts(entries: list[list[str]]) -> tuple[list[str] | None, ...]:
    """The address evidence beyond the exact key, from the profile's [key, street key,
    text] entries: the buildings (street key: number and street, no unit), postcodes,
    postcode + house number pairs (one building even when the street name is misspelt),
    and the street names without the number (the same street, another house).

    Why these: an exact key misses "12 WATTLE ST" against "12 WATLE ST" and a record that
    gives a unit against one that does not, and blocking on the key alone never compares a
    pair whose names and date of birth were both mistyped (FEBRL4: 734 of 944 missed true
    pairs, docs/benchmarks.md)."""
    buildings: list[str] = []
    postcodes: list[str] = []
    numbered: list[str] = []
    streets: list[str] = []
    for entry in entries:
        key, street, text = (entry + ["", "", ""])[:3]
        building = street or key
        found = _POSTCODE.search(text.rsplit(",", 1)[-1] if text else "")
        postcode = found.group(1) if found else ""
        if postcode in key.split():  # "123 MAIN ST APT 1234": a unit, not a postcode
            postcode = ""
        parts = _NUMBER.match(building) if building else None
        buildings.append(building)
        postcodes.append(postcode)
        if parts:
            streets.append(parts.group(2))
            if postcode:
                numbered.append(f"{postcode} {parts.group(1)}")
        elif building:
            streets.append(building)
    return _listed(buildings), _listed(postcodes), _listed(numbered), _listed(streets)


def _row(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    profile: dict[str, Any] = orjson.loads(raw[_IDX["profile"]]) if raw[_IDX["profile"]] else {}
    last = compact(raw[_IDX["last"]] or "") or None
    first = compact(raw[_IDX["first"]] or "") or None
    dob = raw[_IDX["dob"]]
    surname_dm = _dm(last)
    return (
        int(raw[_IDX["id"]]),
        raw[_IDX["owner"]],
        raw[_IDX["type"]],
        raw[_IDX["sensitivity"]],
        raw[_IDX["role"]],
        raw[_IDX["offcats"]],
        first,
        last,
        _nick(first),
        _dm(first),
        surname_dm,
        surname_dm[0] if surname_dm else None,  # the blocking key (arrays index differently)
        dob if dob and len(dob) == 10 else None,  # a partial date is compared by year only
        int(dob[:4]) if dob else None,
        raw[_IDX["sex"]] if raw[_IDX["sex"]] in ("M", "F") else None,
        _listed(profile.get("ph", [])),
        _listed(a[0] for a in profile.get("ad", [])),
        *(parts := _address_parts(profile.get("ad", []))),
        parts[0][0] if parts[0] else None,  # one building as text, for Jaro-Winkler
        _listed(f"{k}:{v}" for k, _, v in profile.get("id", [])),
        _listed(m[0] or f"{m[1]} {m[2]}".strip() for m in profile.get("mk", [])),
        _listed(compact(a[0]) for a in profile.get("a", [])),
    )


def mention_frame(rows: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    """A frame of FRAME_COLUMNS from `Store.linkage_mentions()` rows (or any rows of
    LINKAGE_COLUMNS); `unique_id` is the mention id."""
    return pd.DataFrame.from_records([_row(r) for r in rows], columns=list(FRAME_COLUMNS))
