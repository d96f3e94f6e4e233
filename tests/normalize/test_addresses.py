"""Addresses: one key for every spelling of one address; PO boxes, intersections, fallbacks."""

from __future__ import annotations

import pytest

from lexhub.model import Address
from lexhub.normalize import normalize_address, street_key
from lexhub.normalize.addresses import _clean, _street
from lexhub.normalize.streetline import parse_street_line


def _key(text: str) -> str | None:
    return normalize_address(Address(text)).key


def test_spellings_of_one_address_share_the_key() -> None:
    spellings = [
        "123 N. Main Street Apt 4B",
        "123 north main st #4b",
        "123 N MAIN ST UNIT 4B",
        "123 N Main St, Apt 4B",
        "123 N. Main St. Apt. 4B, Seattle, WA 98101",
        "123 North Main Street Suite 4B",
    ]
    assert {_key(s) for s in spellings} == {"123 N MAIN ST UNIT 4B"}
    assert {street_key(s) for s in spellings} == {"123 N MAIN ST"}


def test_components_are_usaddress_labels_and_city_stays_out_of_the_key() -> None:
    address = normalize_address(Address("4521 Rainier Ave S, Seattle, WA 98118"))
    components = dict(address.components)
    assert components["AddressNumber"] == "4521"
    assert components["StreetName"] == "RAINIER"
    assert components["PlaceName"] == "SEATTLE" and components["ZipCode"] == "98118"
    assert address.kind == "street" and address.key == "4521 RAINIER AVE S"


@pytest.mark.parametrize(
    "text", ["P.O. Box 55", "PO BOX 55", "POB 55, Tacoma WA", "Post Office Box 55"]
)
def test_po_boxes_share_one_key(text: str) -> None:
    address = normalize_address(Address(text))
    assert (address.kind, address.key) == ("po-box", "PO BOX 55")


@pytest.mark.parametrize(
    "text",
    ["Pike St & 1st Ave", "1st Avenue and Pike Street", "PIKE ST / 1ST AVE", "1st Ave at Pike St"],
)
def test_intersections_share_one_key_whatever_the_order(text: str) -> None:
    address = normalize_address(Address(text))
    assert (address.kind, address.key) == ("intersection", "1ST AVE & PIKE ST")


def test_text_usaddress_cannot_label_gets_a_fallback_key() -> None:
    homeless = normalize_address(Address("transient / homeless"))
    assert homeless.kind in ("unparsed", "intersection")
    unknown = normalize_address(Address("unknown"))
    assert (unknown.kind, unknown.key) == ("unparsed", "UNKNOWN")
    empty = normalize_address(Address("  "))
    assert (empty.kind, empty.key, empty.components) == ("unparsed", None, ())


def test_repeated_labels_fall_back_instead_of_raising() -> None:
    # usaddress.tag raises RepeatedLabelError on this; we never do.
    address = normalize_address(Address("123 Main St Apt 4 Seattle WA 98101 Apt 5 Tacoma"))
    assert address.key


@pytest.mark.parametrize(
    "text",
    [
        "123 N. Main Street Apt 4B",
        "123 north main st #4b",
        "100 W Lake View Dr, Kent, WA 98032",
        "12 First Avenue North Apt 3",
        "77 N St",
        "4521 Rainier Ave S, Everett WA",
        "10 N Elm St Unit # 7",
        "9 Lake Ave",
        "22 Park Pl, 98101",
    ],
)
def test_rule_parser_for_plain_lines_agrees_with_usaddress(text: str) -> None:
    line = _clean(text)
    fast = parse_street_line(line)
    assert fast is not None
    slow = _street(line)
    assert (fast[1], fast[2]) == (slow[2], slow[3])
    assert fast[0] == slow[0]


@pytest.mark.parametrize(
    "text", ["5 Main St Seattle WA", "500 Broadway", "Main St", "Apt 4 123 Main"]
)
def test_rule_parser_leaves_other_forms_to_usaddress(text: str) -> None:
    assert parse_street_line(_clean(text)) is None
    assert normalize_address(Address(text)).key


def test_normalize_address_keeps_the_text_and_is_idempotent() -> None:
    once = normalize_address(Address("123 north main st #4b"))
    assert once.text == "123 north main st #4b"
    assert normalize_address(once) == once
