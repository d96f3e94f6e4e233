"""Plates: separators removed; confusable characters folded in the key."""

from __future__ import annotations

import pytest

from lexhub.normalize import normalize_plate, plate_key


@pytest.mark.parametrize(
    ("text", "plate"),
    [("abc-123", "ABC123"), (" ABC 123 ", "ABC123"), ("7·ÄBC·123", "7ABC123"), ("--", "")],
)
def test_normalize_plate_removes_separators(text: str, plate: str) -> None:
    assert normalize_plate(text) == plate


def test_plate_key_folds_confusable_characters() -> None:
    assert plate_key("BOS 5I2") == plate_key("805 512") == "805512"
    assert plate_key("ZQO-1") == plate_key("200-I") == "2001"
    assert plate_key("ABC-123") != plate_key("ABD-123")  # D is not folded
