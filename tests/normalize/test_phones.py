"""Phones: E.164 and extensions with phonenumbers; keys for full and seven-digit numbers."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexhub.model import Phone, PhoneKind
from lexhub.normalize import normalize_phone, phone_keys
from lexhub.normalize.phones import _nanp


@pytest.mark.parametrize(
    ("number", "e164", "extension"),
    [
        ("(206) 555-0147 x12", "+12065550147", "12"),
        ("206.555.0147", "+12065550147", None),
        ("+1 206 555 0147", "+12065550147", None),
        ("1-206-555-0147 ext. 4", "+12065550147", "4"),
        ("206-555-0147 extension 310", "+12065550147", "310"),
        ("2065550147", "+12065550147", None),
        ("+44 20 7946 0958", "+442079460958", None),
        ("5550147", None, None),
        ("555-0147", None, None),
        ("call me", None, None),
        ("", None, None),
    ],
)
def test_normalize_phone_fills_e164_and_extension(
    number: str, e164: str | None, extension: str | None
) -> None:
    phone = normalize_phone(Phone(number, PhoneKind.MOBILE))
    assert (phone.e164, phone.extension) == (e164, extension)
    assert phone.number == number and phone.kind is PhoneKind.MOBILE


def test_phone_keys_give_e164_and_last_seven() -> None:
    full = normalize_phone(Phone("(206) 555-0147 x12"))
    local = normalize_phone(Phone("555-0147"))
    assert phone_keys(full) == [("ph", "+12065550147"), ("ph7", "5550147")]
    assert phone_keys(local) == [("ph7", "5550147")]
    assert phone_keys(normalize_phone(Phone("12"))) == []


def test_region_decides_numbers_without_country_code() -> None:
    assert normalize_phone(Phone("020 7946 0958"), "GB").e164 == "+442079460958"


@settings(max_examples=150, deadline=None)
@given(
    digits=st.from_regex(r"1?[2-9][0-9]{9}", fullmatch=True),
    style=st.sampled_from(["{}", "({}) {}-{}", "{}.{}.{}", "+1 {} {} {}", "{}-{}-{}"]),
)
def test_fast_nanp_path_agrees_with_phonenumbers(digits: str, style: str) -> None:
    ten = digits[-10:]
    text = style.format(ten[:3], ten[3:6], ten[6:]) if style != "{}" else digits
    expected = phonenumbers.format_number(
        phonenumbers.parse(text, "US"), phonenumbers.PhoneNumberFormat.E164
    )
    assert _nanp(text, "US") == expected
