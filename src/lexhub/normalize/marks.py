"""Scars, marks and tattoos: the NCIC-style SMT code table, code parsing and normalization.

The table is data (`data/smt_codes.yaml`, documented in docs/smt-codes.md): three types
(SC scar, MK mark, TAT tattoo), two sides (L, R) and body parts, some of which take a side.
A code is "TYPE PART" or "TYPE SIDE PART", at most 10 characters ("TAT L SHLD"). Free text
is mapped to codes by `marktext.mark_from_text`, which reads the same table's words.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from lexhub.model.person import Mark
from lexhub.normalize.names import fold

__all__ = [
    "MAX_CODE_LENGTH",
    "SmtTable",
    "make_code",
    "normalize_mark",
    "parse_smt_code",
    "smt_table",
]

MAX_CODE_LENGTH = 10


@dataclass(frozen=True)
class SmtTable:
    """The loaded table. `words` maps a folded phrase (tuple of words) to what it names:
    ("type", "TAT"), ("side", "L"), ("part", "ARM") or ("both", "L ARM")."""

    types: dict[str, str]
    sides: frozenset[str]
    parts: dict[str, str]
    sided: frozenset[str]
    words: dict[tuple[str, ...], tuple[str, str]]
    longest: int


def _add(
    words: dict[tuple[str, ...], tuple[str, str]], word: str, meaning: tuple[str, str]
) -> None:
    phrase = tuple(fold(word).replace("-", " ").split())
    if phrase in words and words[phrase] != meaning:
        raise ValueError(f"smt_codes.yaml: {word!r} means both {words[phrase]} and {meaning}")
    words[phrase] = meaning


@cache
def smt_table() -> SmtTable:
    """Load and check the table once. Raises ValueError if the data file breaks its rules
    (a code longer than 10 characters, a word in two entries)."""
    text = resources.files("lexhub.normalize").joinpath("data/smt_codes.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    words: dict[tuple[str, ...], tuple[str, str]] = {}
    for code, entry in raw["types"].items():
        for word in entry["words"]:
            _add(words, str(word), ("type", code))
    for side, side_words in raw["sides"].items():
        for word in side_words:
            _add(words, str(word), ("side", side))
    sided = set()
    for code, entry in raw["parts"].items():
        if entry["sided"]:
            sided.add(code)
        for word in entry["words"]:
            _add(words, str(word), ("part", code))
    for word, (side, part) in raw.get("combined", {}).items():
        _add(words, str(word), ("both", f"{side} {part}"))
    table = SmtTable(
        types={str(k): str(v["name"]) for k, v in raw["types"].items()},
        sides=frozenset(raw["sides"]),
        parts={str(k): str(v["name"]) for k, v in raw["parts"].items()},
        sided=frozenset(sided),
        words=words,
        longest=max(len(p) for p in words),
    )
    for type_code in table.types:
        for part in table.parts:
            code = make_code(type_code, "L" if part in table.sided else None, part)
            if len(code) > MAX_CODE_LENGTH:
                raise ValueError(f"smt_codes.yaml: {code!r} is longer than {MAX_CODE_LENGTH}")
    return table


def make_code(type_code: str, side: str | None, part: str) -> str:
    return f"{type_code} {side} {part}" if side else f"{type_code} {part}"


def parse_smt_code(code: str) -> Mark:
    """Validate an SMT code against the table and split it into type, side and part.

    Case and separators are forgiven ("tat-l-arm" -> "TAT L ARM"). Raises ValueError naming
    the problem: unknown type, unknown part, a side on a part that has none, a bad side.
    """
    table = smt_table()
    tokens = fold(code).replace("-", " ").split()
    if not tokens:
        raise ValueError("empty SMT code")
    if len(tokens) not in (2, 3):
        raise ValueError(f'SMT code "{code}" is not TYPE [SIDE] PART')
    type_code, part = tokens[0], tokens[-1]
    side = tokens[1] if len(tokens) == 3 else None
    if type_code not in table.types:
        raise ValueError(
            f'SMT code "{code}": unknown type "{type_code}" ({", ".join(table.types)})'
        )
    if part not in table.parts:
        raise ValueError(f'SMT code "{code}": unknown body part "{part}"')
    if side is not None and side not in table.sides:
        raise ValueError(f'SMT code "{code}": side "{side}" is not L or R')
    if side is not None and part not in table.sided:
        raise ValueError(f'SMT code "{code}": body part "{part}" has no side')
    return Mark(make_code(type_code, side, part), None, type_code, side, part)


def normalize_mark(mark: Mark) -> Mark:
    """Fill code, type, side and part: from a valid code, else from a code written as free
    text ("TAT LT FOREARM" in the code field), else from the description. The description
    is kept as written. A mark none of these explain is returned unchanged. Idempotent;
    never raises."""
    from lexhub.normalize.marktext import mark_from_text  # marktext imports this module

    derived: Mark | None = None
    if mark.code:
        try:
            derived = parse_smt_code(mark.code)
        except ValueError:
            from_code = mark_from_text(mark.code)
            derived = from_code if from_code is not None and from_code.code else None
    if derived is None and mark.description:
        derived = mark_from_text(mark.description)
    if derived is None:
        return mark
    # A code the agency wrote and nothing explains is kept, not dropped.
    code = derived.code or mark.code
    return dataclasses.replace(
        mark, code=code, type=derived.type, side=derived.side, part=derived.part
    )
