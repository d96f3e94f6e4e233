"""Free-text scar/mark/tattoo descriptions to SMT codes, by rule.

Officers write "TAT LT FOREARM", "scar above r eye", "tatt on neck says MOM", "skull tattoo
on rt side of neck". The text is folded and split; the longest phrases of the code table's
`words` are found first ("BACK OF HAND" before "BACK"); then:

- type: the first type word (SCAR, TAT, MOLE...);
- part: a part named right after a side ("left upper arm", "rt side of neck") or a
  run-together side and part ("LFA"); else a part right after a place word ("on neck",
  "above eye"); else one right after the type word ("TAT NECK"); else the last part named;
- side: the side named before the chosen part, else the nearest side word; dropped for a
  part that has no side;
- description: the words left over, folded, without grammar and place words ("tattoo of a
  dragon on left forearm" -> "DRAGON"; a part word that is the design, as "eye" in "tattoo
  of an eye on neck", stays in the description).

Misspellings the table does not list are matched when nothing else gave the type (or the
part): a word of five or more letters one edit away from a table word of five or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from lexhub.model.person import Mark
from lexhub.normalize.marks import make_code, smt_table
from lexhub.normalize.names import fold

__all__ = ["mark_from_text"]

_PLACE_WORDS = frozenset(
    "ON ACROSS ABOVE BELOW UNDER UNDERNEATH NEAR AT OVER BEHIND TO IN INSIDE BTWN BETWEEN "
    "ALONG AROUND BY ONTO".split()
)
_QUALIFIERS = frozenset(
    "UPPER LOWER INNER OUTER FRONT TOP BOTTOM SIDE MID MIDDLE CENTER CTR OF THE HIS HER A AN "
    "AREA".split()
)
_GRAMMAR = frozenset(
    "OF THE A AN AND W WITH HIS HER THAT WHICH SAYS SAY SAYING READS READ READING WORD WORDS "
    "LETTERS LETTERING SPELLS SPELLING DEPICTING SHOWING IS ON".split()
)
_DROP_FROM_DESCRIPTION = _PLACE_WORDS | _QUALIFIERS | _GRAMMAR


@dataclass
class _Item:
    kind: str  # type | side | part | both | word
    value: str
    text: str


def _scan(words: list[str]) -> list[_Item]:
    table = smt_table()
    items: list[_Item] = []
    i = 0
    while i < len(words):
        for n in range(min(table.longest, len(words) - i), 0, -1):
            meaning = table.words.get(tuple(words[i : i + n]))
            if meaning is not None:
                items.append(_Item(meaning[0], meaning[1], " ".join(words[i : i + n])))
                i += n
                break
        else:
            items.append(_Item("word", words[i], words[i]))
            i += 1
    return items


@lru_cache(maxsize=4)
def _fuzzy_vocabulary(kind: str) -> dict[str, str]:
    return {
        phrase[0]: value
        for phrase, (k, value) in smt_table().words.items()
        if k == kind and len(phrase) == 1 and len(phrase[0]) >= 5
    }


def _fuzzy(items: list[_Item], kind: str) -> None:
    """Turn the first word one edit from a `kind` word into that kind, in place."""
    vocabulary = _fuzzy_vocabulary(kind)
    for item in items:
        if item.kind == "word" and len(item.value) >= 5 and item.value.isalpha():
            hit = process.extractOne(
                item.value, list(vocabulary), scorer=Levenshtein.distance, score_cutoff=1
            )
            if hit is not None:
                item.kind, item.value = kind, vocabulary[hit[0]]
                return


def _previous(items: list[_Item], index: int) -> _Item | None:
    """The item before `index`, skipping qualifiers ("left UPPER arm", "side OF the neck")."""
    j = index - 1
    while j >= 0 and items[j].kind == "word" and items[j].value in _QUALIFIERS:
        j -= 1
    return items[j] if j >= 0 else None


def _choose_part(items: list[_Item]) -> tuple[int, str | None] | None:
    """(index of the chosen part item, side given with it) or None."""
    parts = [i for i, it in enumerate(items) if it.kind in ("part", "both")]
    if not parts:
        return None
    for i in parts:
        if items[i].kind == "both":
            side, _, _ = items[i].value.partition(" ")
            return i, side
        before = _previous(items, i)
        if before is not None and before.kind == "side":
            return i, before.value
    for i in parts:
        before = _previous(items, i)
        if before is not None and before.kind == "word" and before.value in _PLACE_WORDS:
            return i, None
    for i in parts:
        if i > 0 and items[i - 1].kind == "type":
            return i, None
    return parts[-1], None


@lru_cache(maxsize=1 << 14)
def mark_from_text(text: str) -> Mark | None:
    """A Mark (code when both type and part are known) from a free-text description, or
    None when the text names neither a type nor a body part. Never raises."""
    table = smt_table()
    items = _scan(fold(text).replace("-", " ").split())
    if not any(it.kind == "type" for it in items):
        _fuzzy(items, "type")
    if not any(it.kind in ("part", "both") for it in items):
        _fuzzy(items, "part")
    type_code = next((it.value for it in items if it.kind == "type"), None)
    chosen = _choose_part(items)
    if type_code is None and chosen is None:
        return None
    part: str | None = None
    side: str | None = None
    used = {next((i for i, it in enumerate(items) if it.kind == "type"), -1)}
    if chosen is not None:
        index, side = chosen
        used.add(index)
        part = items[index].value.partition(" ")[2] or items[index].value
        if side is None:
            sides = [(abs(i - index), it.value) for i, it in enumerate(items) if it.kind == "side"]
            side = min(sides)[1] if sides else None
        if part not in table.sided:
            side = None
    description = [
        it.text
        for i, it in enumerate(items)
        if i not in used
        and (it.kind == "word" or it.kind == "part")
        and it.text not in _DROP_FROM_DESCRIPTION
    ]
    code = make_code(type_code, side, part) if type_code and part else None
    return Mark(code, " ".join(description) or None, type_code, side, part)
