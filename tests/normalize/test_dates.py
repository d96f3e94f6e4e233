"""Dates of birth: impossible dates rejected with a reason, partial dates kept partial."""

from __future__ import annotations

import pytest

from lexhub.model import PartialDate
from lexhub.normalize import parse_dob


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("1987-02-11", ("%Y-%m-%d",), PartialDate(1987, 2, 11)),
        ("1987", ("%Y-%m-%d",), PartialDate(1987)),
        ("1987-02", ("%Y-%m-%d",), PartialDate(1987, 2)),
        ("02/11/1987", ("%m/%d/%Y",), PartialDate(1987, 2, 11)),
        ("2/1/1987", ("%m/%d/%Y",), PartialDate(1987, 2, 1)),
        ("02/1987", ("%m/%d/%Y",), PartialDate(1987, 2)),
        ("11.02.1987", ("%d.%m.%Y",), PartialDate(1987, 2, 11)),
        ("11 Feb 1987", ("%d %b %Y",), PartialDate(1987, 2, 11)),
        ("87-02-11", ("%y-%m-%d",), PartialDate(1987, 2, 11)),
        ("05-02-11", ("%y-%m-%d",), PartialDate(2005, 2, 11)),
        ("1987-02-11", ("%m/%d/%Y", "%Y-%m-%d"), PartialDate(1987, 2, 11)),
    ],
)
def test_parse_dob_reads_full_and_partial_dates(
    text: str, formats: tuple[str, ...], expected: PartialDate
) -> None:
    assert parse_dob(text, formats) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1987-02-30", '"1987-02-30" is not a date: 1987-02 has no day 30'),
        ("1987-13-01", '"1987-13-01" is not a date: month 13 is not 1-12'),
        ("1900-02-29", "has no day 29"),
        ("0999-01-01", "out of range"),
    ],
)
def test_parse_dob_rejects_impossible_dates_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_dob(text)
    assert reason in str(info.value)


def test_parse_dob_names_the_expected_formats_when_nothing_matches() -> None:
    with pytest.raises(ValueError, match="expected %m/%d/%Y"):
        parse_dob("Feb the 11th", ("%m/%d/%Y",))


def test_leap_day_is_a_date_in_leap_years() -> None:
    assert parse_dob("2000-02-29") == PartialDate(2000, 2, 29)
