"""Addresses: usaddress components, a kind, and comparison keys.

The key is the address LINE only (number, street, unit), uppercase, with USPS abbreviations
and every unit designator written `UNIT`: "123 N. Main Street Apt 4B", "123 north main st
#4b" and "123 N MAIN ST UNIT 4B" all give "123 N MAIN ST UNIT 4B". City, state and ZIP stay
in the components but not in the key, because records leave them out as often as not; the
street key (`street_key`) also leaves out the unit, for "same building" candidates.

PO boxes ("P.O. Box 12", "POB 12", "Post Office Box 12" -> "PO BOX 12") and intersections
("Pike St & 1st Ave" and "1st Avenue and Pike Street" -> "1ST AVE & PIKE ST", the two
streets sorted) are recognised by rule before usaddress, which misreads both. Text that
usaddress cannot label (a repeated label, no number and no street) is kind "unparsed" with a
fallback key: the abbreviated words before the first comma.

usaddress costs 50-370 µs a call. Plain lines ("123 N MAIN ST APT 4B, CITY, ST 98101") are
read by a rule parser (`streetline`) in a few µs and never reach usaddress. Results are
cached twice with bounded sizes: raw text to result, and cleaned text (uppercase,
punctuation reduced, directionals and street type USPS-abbreviated) to result, so "123 North Main
Street" and "123 N. MAIN ST" are parsed once; components hold the abbreviated words.
"""

from __future__ import annotations

import re
import unicodedata

import usaddress

from lexhub.model.person import Address
from lexhub.normalize.memo import memo
from lexhub.normalize.streetline import parse_street_line
from lexhub.normalize.usps import (
    ABBREVIATIONS,
    DIRECTIONAL_ABBREVIATIONS,
    PLACE_LABELS,
    STREET_TYPES,
    UNIT_DESIGNATORS,
    UNIT_WORD,
)

__all__ = ["normalize_address", "street_key"]

_DROP = re.compile(r"[.'`’]")
_HASH = re.compile(r"#\s*")
_OTHER = re.compile(r"[^A-Z0-9#&/,\- ]+")
_COMMAS = re.compile(r"\s*,[\s,]*")
_PO_BOX = re.compile(
    r"^(?:P ?O ?B(?:OX)?|POST OFFICE BOX|POST BOX|BOX|P ?O DRAWER|DRAWER)\s*(?:# )?([A-Z0-9-]+)\b"
)
_CROSSING = re.compile(r"\s(?:&|AND|AT|@|/)\s|\s?[&@/]\s?")
_HOUSE_NUMBER = re.compile(r"^\d+[A-Z]?(?:-\d+)?\s")


# (components, kind, key, street key). A plain tuple, not a NamedTuple: CPython stops
# tracking exact tuples of strings in the garbage collector, and these are cached by the
# hundred thousand (memo.py says why that matters).
_Parsed = tuple[tuple[tuple[str, str], ...], str, str | None, str | None]


def _clean(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _DROP.sub("", text.upper())
    text = _OTHER.sub(" ", _HASH.sub("# ", text))
    text = _COMMAS.sub(", ", " ".join(text.split())).strip(" ,-")
    # Directionals and the street type abbreviated before parsing, so "North Main Street"
    # and "N MAIN ST" are parsed once. Only the LAST street-type word is: "Lake View Drive"
    # keeps LAKE and VIEW, which usaddress would misread as types once abbreviated.
    line, comma, rest = text.partition(",")
    words = [DIRECTIONAL_ABBREVIATIONS.get(w, w) for w in line.split()]
    for i in range(len(words) - 1, 0, -1):
        if words[i] in STREET_TYPES:
            words[i] = ABBREVIATIONS.get(words[i], words[i])
            break
    return " ".join(words) + comma + rest


def _abbreviate(words: list[str]) -> list[str]:
    return [ABBREVIATIONS.get(w, w) for w in words if w not in ("-", "&", "/", "#")]


def _fallback(line: str) -> _Parsed:
    words = line.split(",")[0].split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word in UNIT_DESIGNATORS:
            if i + 1 < len(words):  # a designator with nothing after it says nothing
                out.append(UNIT_WORD)
        else:
            out.extend(_abbreviate([word]))
    key = " ".join(out) or None
    return ((), "unparsed", key, key)


def _intersection(line: str) -> _Parsed | None:
    first_line = line.split(",")[0]
    if _HOUSE_NUMBER.match(first_line):
        return None
    streets = [s.strip() for s in _CROSSING.split(first_line)]
    if len(streets) != 2 or not all(streets):
        return None
    a, b = sorted(" ".join(_abbreviate(s.split())) for s in streets)
    if not a or not b:
        return None
    key = f"{a} & {b}"
    comps = (("StreetName", a), ("IntersectionSeparator", "&"), ("SecondStreetName", b))
    return (comps, "intersection", key, key)


USADDRESS_CALLS = [0]  # how many texts reached usaddress (cache_stats reports it)


def _street(line: str) -> _Parsed:
    USADDRESS_CALLS[0] += 1
    tokens = [(tok.strip(","), label) for tok, label in usaddress.parse(line)]
    components: list[tuple[str, str]] = []
    street: list[str] = []
    unit_ids: list[str] = []
    subaddress: list[str] = []
    for token, label in tokens:
        if not token:
            continue
        if components and components[-1][0] == label:
            components[-1] = (label, f"{components[-1][1]} {token}")
        elif any(label == seen for seen, _ in components):
            return _fallback(line)
        else:
            components.append((label, token))
        if label in PLACE_LABELS or label == "OccupancyType" or token in ("#", "&", "/", "-"):
            continue
        if label == "OccupancyIdentifier":
            unit_ids.append(token.lstrip("#"))
        elif label.startswith("Subaddress"):
            subaddress.extend(_abbreviate([token]))
        elif label.startswith("USPSBox"):
            return _fallback(line)
        else:
            street.extend(_abbreviate([token]))
    labels = {label for label, _ in components}
    if not street or not ({"AddressNumber", "StreetName"} & labels):
        return _fallback(line)
    street_text = " ".join(street)
    unit = "".join(unit_ids)
    parts = [street_text, *subaddress, *([UNIT_WORD, unit] if unit else [])]
    return (tuple(components), "street", " ".join(parts), street_text)


@memo(1 << 16)
def _analyse(line: str) -> _Parsed:
    """The expensive step (usaddress), cached on the cleaned text."""
    if not line:
        return ((), "unparsed", None, None)
    box = _PO_BOX.match(line)
    if box:
        key = f"PO BOX {box.group(1)}"
        return ((("USPSBoxType", "PO BOX"), ("USPSBoxID", box.group(1))), "po-box", key, key)
    crossing = _intersection(line)
    if crossing is not None:
        return crossing
    plain = parse_street_line(line)
    if plain is not None:
        return (plain[0], "street", plain[1], plain[2])
    try:
        return _street(line)
    except Exception:  # usaddress on hostile input: fall back rather than stop a batch
        return _fallback(line)


@memo(1 << 17)
def _by_text(text: str) -> _Parsed:
    return _analyse(_clean(text))


CALLS = [0]  # normalize_address calls, for cache_stats' parsed share


def normalize_address(addr: Address) -> Address:
    """`addr` with components, kind and key recomputed from its text. Never raises;
    idempotent (the result depends on `text` only)."""
    CALLS[0] += 1
    parsed = _by_text(addr.text)
    components, kind, key, _ = parsed
    if addr.components == components and addr.key == key and addr.kind == kind:
        return addr
    return Address(addr.text, components, key, kind)


def street_key(text: str) -> str | None:
    """The address key without the unit ("123 N MAIN ST"): one building's key."""
    return _by_text(text)[3]
