"""Phone numbers to E.164 with the `phonenumbers` package, extensions kept.

A number gets an `e164` when phonenumbers can read it as a full number for its region
(`is_possible_number`: the right length), even if the number is not assigned: records hold
fictional 555 numbers and mistyped ones, and a key has to be consistent, not valid. A
seven-digit local number ("555-0147") has no area code, so no E.164; its last-seven key
still lets search find it against full numbers. Parsing is cached per (text, region).
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from lexhub.model.person import Phone
from lexhub.normalize.memo import memo

__all__ = ["normalize_phone", "phone_keys"]

_DIGITS = re.compile(r"\D", re.ASCII)
# Extension markers phonenumbers does not know ("ext.", "x", "#" it does; "extn" too).
_EXT_WORDS = re.compile(r"(?i)\b(?:extension|extn|ext|xt|x)\.?\s*[:#]?\s*(\d{1,7})\s*$")


_PLAIN = re.compile(r"^\+?[0-9 ().-]+$")


def _nanp(text: str, region: str) -> str | None:
    """E.164 of a plain North American number without calling phonenumbers, or None.

    Only the unambiguous forms: ten digits with an area code 2-9 in region US, or eleven
    starting 1 (written "+1 ..." or "1 ..."). Everything else goes to phonenumbers; a test
    checks both paths agree on these forms.
    """
    if not _PLAIN.match(text):
        return None
    digits = _DIGITS.sub("", text)
    if len(digits) == 10 and region == "US" and not text.startswith("+") and digits[0] > "1":
        return f"+1{digits}"
    if len(digits) == 11 and digits[0] == "1" and digits[1] > "1":
        return f"+{digits}"
    return None


@memo(1 << 17)
def _parse(key: tuple[str, str]) -> tuple[str | None, str | None]:
    """(e164, extension) for a written (number, region); (None, None) when unreadable."""
    number, region = key
    text = number.strip()
    ext: str | None = None
    match = _EXT_WORDS.search(text)
    if match:
        ext, text = match.group(1), text[: match.start()].strip()
    fast = _nanp(text, region)
    if fast is not None:
        return fast, ext
    try:
        parsed = phonenumbers.parse(text, region)
    except NumberParseException:
        return None, ext
    ext = ext or parsed.extension or None
    if phonenumbers.is_possible_number_with_reason(parsed) != ValidationResult.IS_POSSIBLE:
        return None, ext
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164), ext


CALLS = [0]  # normalize_phone calls, for cache_stats' parsed share


def normalize_phone(phone: Phone, region: str = "US") -> Phone:
    """`phone` with `e164` and `extension` filled from `number` (recomputed, so the result
    does not depend on what those fields held: idempotent). Never raises."""
    CALLS[0] += 1
    try:
        e164, ext = _parse((phone.number, region))
    except Exception:  # phonenumbers on hostile input: a bad number must not stop a batch
        e164, ext = None, None
    if e164 == phone.e164 and ext == phone.extension:
        return phone
    return Phone(phone.number, phone.kind, e164, ext)


def _last_seven(phone: Phone) -> str | None:
    if phone.e164:
        digits = phone.e164[1:]
    else:
        number = phone.number
        match = _EXT_WORDS.search(number)
        digits = _DIGITS.sub("", number[: match.start()] if match else number)
    return digits[-7:] if len(digits) >= 7 else None


def phone_keys(phone: Phone) -> list[tuple[str, str]]:
    """Search keys of a normalized phone: ("ph", e164) and ("ph7", last seven digits).

    The last seven digits match a number written without its area code, or with the wrong
    one (a common error); the extension is not part of any key.
    """
    keys: list[tuple[str, str]] = []
    if phone.e164:
        keys.append(("ph", phone.e164))
    seven = _last_seven(phone)
    if seven:
        keys.append(("ph7", seven))
    return keys
