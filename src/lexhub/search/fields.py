"""Per-field comparisons other than names: date of birth, phone, address, marks, ids.

Each returns a score in 0..1 and the words of the explanation, or None when the two do
not agree at all. Inputs are already normalized (the planner and ingest use the same
normalizers), so these compare forms, not raw text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from lexhub.normalize import fold, mark_from_text

__all__ = [
    "FieldMatch",
    "compare_address",
    "compare_dob",
    "compare_mark",
    "compare_phone",
    "motif_group",
    "parts_within",
    "motif_words",
]


@dataclass(frozen=True)
class FieldMatch:
    score: float
    text: str


def _parts(dob: str) -> tuple[int, int | None, int | None]:
    pieces = [int(p) for p in dob.split("-")]
    return pieces[0], pieces[1] if len(pieces) > 1 else None, pieces[2] if len(pieces) > 2 else None


@lru_cache(maxsize=1 << 16)
def compare_dob(query: str, record: str) -> FieldMatch | None:
    """Dates as YYYY[-MM[-DD]]. Full dates: exact, day and month transposed, one digit
    wrong; partial on either side: the parts both give must agree."""
    qy, qm, qd = _parts(query)
    ry, rm, rd = _parts(record)
    if qm is not None and qd is not None and rm is not None and rd is not None:
        if (qy, qm, qd) == (ry, rm, rd):
            return FieldMatch(1.0, f"exact {record}")
        if qy == ry and (qm, qd) == (rd, rm):
            return FieldMatch(0.85, f"day and month transposed {query} ~ {record}")
        q8, r8 = query.replace("-", ""), record.replace("-", "")
        if sum(a != b for a, b in zip(q8, r8, strict=True)) == 1:
            return FieldMatch(0.8, f"one digit wrong {query} ~ {record}")
        if qy == ry and qm == rm:
            return FieldMatch(0.35, f"same year and month {query} ~ {record}")
        return None
    if qy != ry:
        if qm is None and abs(qy - ry) == 1:
            return FieldMatch(0.3, f"year of birth {qy} ~ {ry}")
        return None
    if qm is not None and rm is not None and qm != rm:
        return None
    if qm is None:
        return FieldMatch(0.75, f"year of birth {qy}")
    if rm is None:
        return FieldMatch(0.6, f"year {ry} (recorded without month and day)")
    if qd is None or rd is None:
        return FieldMatch(0.8, f"year and month {qy}-{qm:02d}")
    return None  # unreachable: both full was handled above


def compare_phone(
    query_keys: Sequence[tuple[str, str]], record_phones: Iterable[str]
) -> FieldMatch | None:
    """`query_keys` from normalize.phone_keys; recorded phones as E.164 (or raw digits)."""
    full = {key for kind, key in query_keys if kind == "ph"}
    seven = {key for kind, key in query_keys if kind == "ph7"}
    best: FieldMatch | None = None
    for phone in record_phones:
        if phone in full:
            return FieldMatch(1.0, f"exact {phone}")
        digits = "".join(c for c in phone if c.isdigit())
        if len(digits) >= 7 and digits[-7:] in seven and best is None:
            best = FieldMatch(0.85, f"last seven digits {digits[-7:]} of {phone}")
    return best


def compare_address(
    key: str | None, street: str | None, record: Iterable[Sequence[str]]
) -> FieldMatch | None:
    """Query address key and street key against recorded [key, street key, text]."""
    best: FieldMatch | None = None
    for entry in record:
        r_key, r_street, text = entry[0], entry[1], entry[2]
        if key and r_key == key:
            return FieldMatch(1.0, f"same address {text}")
        if street and street in (r_street, r_key) and best is None:
            best = FieldMatch(0.8, f"same street address, other or no unit: {text}")
    return best


# Words for one design: a query "serpent" finds a record's "snake". Folded, single words.
_MOTIFS = (
    "SKULL SKULLS SKELETON CRANIUM DEATHSHEAD",
    "SNAKE SNAKES SERPENT COBRA VIPER RATTLESNAKE",
    "DRAGON DRAGONS WYVERN",
    "ROSE ROSES FLOWER FLOWERS BLOSSOM",
    "CROSS CRUCIFIX",
    "HEART HEARTS",
    "TEARDROP TEARDROPS TEAR TEARS",
    "STAR STARS",
    "EAGLE HAWK FALCON",
    "TIGER PANTHER JAGUAR LEOPARD",
    "LION LIONS",
    "WEB SPIDERWEB COBWEB",
    "WIRE BARBED BARBWIRE",
    "HANDS PRAYING",
    "CLOCK WATCH HOURGLASS",
    "DICE",
    "CROWN",
    "ANCHOR",
    "BUTTERFLY MOTH",
    "MOM MOTHER MAMA MOTHERS",
    "MARY VIRGIN GUADALUPE MADONNA",
    "FLAMES FLAME FIRE",
    "WOLF WOLVES",
    "KOI FISH CARP",
    "MERMAID SIREN",
    "DAGGER KNIFE SWORD",
    "JOKER CLOWN JESTER",
    "ANGEL WINGS WING",
    "LIGHTNING BOLT",
    "MUSIC NOTES NOTE",
    "PAW PRINTS PAWS",
    "ROSARY BEADS",
    "DOLLAR MONEY MONEYBAG CASH",
    "SCORPION",
    "SHIP BOAT",
)
_MOTIF_OF = {w: group.split()[0] for group in _MOTIFS for w in group.split()}
_MEMBERS = {group.split()[0]: tuple(group.split()) for group in _MOTIFS}


# Parts inside a larger one that an investigator may name instead: "a moon on his face"
# for a record's TAT R CHK, "on the left hand" for tattooed knuckles. SMT part codes.
_REGION = {"FHD": "FACE", "EYE": "FACE", "NOSE": "FACE", "CHK": "FACE", "LIP": "FACE"}
_REGION |= {"CHIN": "FACE", "FGR": "HND"}


def parts_within(part: str) -> tuple[str, ...]:
    """The SMT parts inside `part` ("FACE" -> CHK, LIP, ...), none for most parts."""
    return tuple(sorted(p for p, region in _REGION.items() if region == part))


def _nested(a: str, b: str) -> bool:
    return _REGION.get(a) == b or _REGION.get(b) == a


def motif_group(word: str) -> tuple[str, ...]:
    """Every word of `word`'s motif (itself alone if it has none)."""
    return _MEMBERS.get(_MOTIF_OF.get(word, word), (word,))


_NO_WORDS: frozenset[str] = frozenset()

# Two letters can be the whole design ("WA", "XO"); these two-letter words never are.
_GRAMMAR = frozenset("OF ON IN AT TO AN BY OR MY UP".split())


def motif_words(description: str) -> frozenset[str]:
    """A description's design words, each replaced by its motif's first word."""
    return frozenset(
        _MOTIF_OF.get(w, w) for w in fold(description).split() if len(w) >= 2 and w not in _GRAMMAR
    )


@lru_cache(maxsize=1 << 14)
def _described(description: str) -> frozenset[str]:
    """Design words of a recorded description, as typed ("dragon tat lfa" -> DRAGON)."""
    if not description:
        return frozenset()
    mark = mark_from_text(description)
    words = mark.description if mark is not None and mark.description else fold(description)
    return motif_words(words)


@lru_cache(maxsize=1 << 16)
def _could_share(description: str) -> frozenset[str]:
    """Every word of a recorded description as a motif, unparsed: a superset of
    `_described` (the parse only drops the type, side and place words), and a tenth of
    its cost. A query design none of these words shares cannot share the parsed design
    either, so the parse is skipped: at a million records a tattoo query scores ~200
    candidates with a few marks each, mostly other designs, and parsing each of them was
    most of the query's time."""
    folded = fold(description)
    return motif_words(folded) | motif_words(folded.replace("-", " "))


def compare_mark(
    code: str | None,
    type_part: str | None,
    words: frozenset[str],
    recorded: Iterable[Sequence[str]],
) -> FieldMatch | None:
    """A query mark (code, "TYPE PART", motif words) against recorded marks [code, type,
    part, side, description]. The design counts most: officers disagree about where
    a forearm ends, rarely about whether the tattoo is a dragon."""
    best: FieldMatch | None = None
    for entry in recorded:
        r_code, r_type, r_part, _, description = entry[0], entry[1], entry[2], entry[3], entry[4]
        shared = words & _described(description) if words & _could_share(description) else _NO_WORDS
        place = 0.0
        where = ""
        if code and r_code == code:
            place, where = 1.0, f"code {code}"
        elif type_part and f"{r_type} {r_part}" == type_part:
            place, where = 0.8, f"{r_type} {r_part} (side differs or unknown)"
        elif type_part and r_type == type_part.split()[0]:
            q_part = type_part.split()[-1]
            if r_part and _nested(q_part, r_part):
                place, where = 0.6, f"{r_type} {r_part} (one lies within the other: {q_part})"
            else:
                place, where = 0.3, f"{r_type}"
        if words:
            design = len(shared) / len(words)
            if not shared and description:
                ratio = fuzz.token_set_ratio(" ".join(sorted(words)), description) / 100
                design = ratio * 0.6 if ratio >= 0.8 else 0.0
            score = 0.7 * design + 0.3 * place
            what = f'"{description}"' if design else ""
        else:
            score = place
            what = ""
        if score <= 0.15:
            continue
        text = ", ".join(t for t in (where, what) if t)
        if best is None or score > best.score:
            best = FieldMatch(min(1.0, score), text)
    return best
