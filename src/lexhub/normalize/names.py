"""Names: folding, parsing, surname parts, phonetic keys and nickname groups.

Records spell one person many ways: "GARCÍA-LÓPEZ, José" at one agency, "Jose Garcia" at
another, "JOE GARCIA LOPEZ" in a field interview. Everything here turns such spellings into
comparable uppercase ASCII and into the keys `keys.index_record` writes, so that search can
find the person whichever way the query is written.

Hyphens: `fold` KEEPS a hyphen between two words ("GARCIA-LOPEZ") and removes the spaces
around it, because a hyphen in a surname says "these are two surnames", which
`surname_parts` needs. Apostrophes are removed without a space ("O'Brien" -> "OBRIEN");
every other punctuation mark becomes a space. `compact` removes spaces and hyphens too and is
the form the exact-name keys use ("De la Cruz", "DELACRUZ" and "De-La-Cruz" agree).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from doublemetaphone import doublemetaphone
from nicknames import NickNamer

from lexhub.model.person import PersonName
from lexhub.normalize.memo import memo

__all__ = [
    "PARTICLES",
    "SUFFIXES",
    "compact",
    "fold",
    "name_text",
    "nickname_group",
    "parse_name",
    "phonetic_keys",
    "surname_parts",
]

# Letters that NFKD does not decompose into ASCII.
# fmt: off
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
        "ı": "i", "ſ": "s", "ŋ": "n", "Ŋ": "N", "ħ": "h", "Ħ": "H",
    }
)
# fmt: on
_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_NON_WORD = re.compile(r"[^A-Z0-9-]+")
_HYPHENS = re.compile(r" ?-[ -]*")
_NOT_LETTER = re.compile(r"[^A-Z]")

# Surname particles: "de la Cruz", "van der Berg", "St. John". They begin a surname in
# natural order ("Maria de la Cruz") and are joined to the next word by `surname_parts`.
PARTICLES = frozenset(
    "DA DAL DAS DE DEL DELA DELLA DELLE DEGLI DER DEN DES DI DO DOS DU LA LE LO LOS LAS "
    "VAN VON VANDER VANDEN TEN TER ST STE SAINT BIN IBN BEN AL EL".split()
)
# Connectors inside Spanish and Portuguese double surnames ("Garcia y Lopez").
_CONNECTORS = frozenset({"Y", "E", "I"})
SUFFIXES = frozenset("JR SR II III IV 2ND 3RD 4TH ESQ".split())


@memo(1 << 16)
def fold(text: str) -> str:
    """Uppercase ASCII: accents removed, apostrophes dropped, other punctuation to single
    spaces, hyphens kept between words. Idempotent; never raises; may return "".
    Cached: names repeat across records."""
    if not text.isascii():
        text = _APOSTROPHES.sub("", text.translate(_SPECIAL))
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    else:
        text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text.upper())
    text = _HYPHENS.sub("-", " ".join(text.split()))
    return text.strip(" -")


def compact(text: str) -> str:
    """`fold` without spaces and hyphens: the exact-match form of a name."""
    return fold(text).replace(" ", "").replace("-", "")


def _clean_token(token: str) -> str:
    return token.strip(".,;:()[]{}\"'!?*/\\|<>_~")


def _tokens(text: str) -> list[str]:
    return [t for t in (_clean_token(t) for t in text.replace(",", " ").split()) if fold(t)]


def _is_suffix(token: str) -> bool:
    return compact(token) in SUFFIXES


def _split_suffixes(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Suffix tokens after the first token go to the suffix; the first never does."""
    keep = tokens[:1] + [t for t in tokens[1:] if not _is_suffix(t)]
    return keep, [t for t in tokens[1:] if _is_suffix(t)]


def _join(tokens: list[str]) -> str | None:
    return " ".join(tokens) or None


@lru_cache(maxsize=1 << 15)
def parse_name(text: str) -> PersonName:
    """Split a written name into parts, keeping each part's spelling (case and accents).

    Forms: "LAST, FIRST MIDDLE [SUFFIX]" (anything before the first comma is the surname,
    a suffix there too: "SMITH JR, JOHN"), and natural order "First [Middle...] Last
    [Suffix]" where a particle after the first word starts the surname ("Maria de la Cruz").
    One word is a surname. Stable: parsing `name_text()` of the result gives the result.
    Raises ValueError only when there is no name at all (no letter or digit).
    """
    head, comma, tail = text.partition(",")
    last_tokens = _tokens(head) if comma else []
    if comma and last_tokens:
        last_tokens, suffixes = _split_suffixes(last_tokens)
        given, more = _split_suffixes(_tokens(tail))
        suffixes += more
        first = given[0] if given else None
        return PersonName(" ".join(last_tokens), first, _join(given[1:]), _join(suffixes))
    tokens, suffixes = _split_suffixes(_tokens(text))
    if not tokens:
        raise ValueError(f'"{text}" holds no name')
    if len(tokens) == 1:
        return PersonName(tokens[0], None, None, _join(suffixes))
    start = len(tokens) - 1
    for i in range(1, len(tokens) - 1):
        if compact(tokens[i]) in PARTICLES:
            start = i
            break
    return PersonName(" ".join(tokens[start:]), tokens[0], _join(tokens[1:start]), _join(suffixes))


def name_text(name: PersonName) -> str:
    """The text `parse_name` reads back as `name`: `display()`, with a comma after a
    surname that has no given name ("de la Cruz," is all surname; "de la Cruz" is not)."""
    if name.first:
        return name.display()
    return f"{name.last} {name.suffix}," if name.suffix else f"{name.last},"


def surname_parts(last: str) -> list[str]:
    """The surnames a compound surname may be filed under, each compacted.

    Hyphens and spaces separate parts ("GARCIA-LOPEZ" and "GARCIA LOPEZ" -> ["GARCIA",
    "LOPEZ"]). Particles are joined to the word they precede and that word is also a part
    on its own ("DE LA CRUZ" -> ["DELACRUZ", "CRUZ"]; "VAN DER BERG-SMITH" -> ["VANDERBERG",
    "BERG", "SMITH"]), connectors ("Y") are dropped. A simple surname gives itself;
    "" gives []. The full compact form is not repeated here unless it is the only part.
    """
    return list(_surname_parts(last))


@memo(1 << 15)
def _surname_parts(last: str) -> tuple[str, ...]:
    parts: list[str] = []
    for segment in fold(last).split("-"):
        prefix = ""
        for word in segment.split():
            if word in _CONNECTORS and parts:
                continue
            if word in PARTICLES:
                prefix += word
                continue
            if prefix:
                parts.append(prefix + word)
                prefix = ""
            parts.append(word)
        if prefix:
            parts.append(prefix)
    return tuple(dict.fromkeys(parts))


@memo(1 << 16)
def phonetic_keys(token: str) -> tuple[str, ...]:
    """Double Metaphone primary and alternate ("dm:") and NYSIIS ("ny:") of a name.

    The name is folded and only its letters kept, so "O'Brien" and "OBRIEN" agree. Tags
    keep the two algorithms' codes from ever colliding. Empty for a name without letters.
    """
    letters = _NOT_LETTER.sub("", fold(token))
    if not letters:
        return ()
    primary, alternate = doublemetaphone(letters)
    keys = [f"dm:{code}" for code in dict.fromkeys((primary, alternate)) if code]
    nysiis = jellyfish.nysiis(letters)
    if nysiis:
        keys.append(f"ny:{nysiis}")
    return tuple(keys)


_NICKNAMER: NickNamer | None = None


@lru_cache(maxsize=1 << 14)
def nickname_group(first: str) -> frozenset[str]:
    """The folded name and every canonical name the nicknames package gives for it.

    "Bill" -> {BILL, WILLIAM, WILL, ...}; "Peggy" -> {PEGGY, MARGARET, ...}. A formal name
    keeps its own spelling, so "Bill" and "William" share the member WILLIAM: two mentions
    whose groups intersect may be one person. The package's table is loaded on first use.
    """
    global _NICKNAMER
    name = compact(first)
    if not name:
        return frozenset()
    if _NICKNAMER is None:
        _NICKNAMER = NickNamer()
    canonicals = _NICKNAMER.canonicals_of(name.lower())
    return frozenset({name} | {compact(c) for c in canonicals} - {""})


# Endings that make a pet form of a name's short form: ROBB-IE, BOBB-Y, LEX-I, JO-EY.
_PET_ENDINGS = ("IE", "EY", "EE", "Y", "I")


def pet_stems(first: str) -> tuple[str, ...]:
    """The short forms a pet name may be built on: ROBBIE -> ROBB, ROB; MIKEY -> MIK, MIKE;
    none for a name without a pet ending or with a stem under three letters.

    The nicknames package lists many pet forms but not all (ROBBIE only under ROBERTA,
    LEXI only under ALEXIS); the short form under the ending usually is listed (ROB ->
    ROBERT). The stem may have doubled its last consonant (ROBB) or dropped a final E
    (MIK of MIKE), so both spellings are given.
    """
    name = compact(first)
    for ending in _PET_ENDINGS:
        stem = name[: -len(ending)]
        if name.endswith(ending) and len(stem) >= 3:
            out = [stem]
            if stem[-1] == stem[-2] and stem[-1] not in "AEIOU":
                out.append(stem[:-1])
            elif stem[-1] not in "AEIOU":
                out.append(stem + "E")
            return tuple(s for s in out if len(s) >= 3)
    return ()


@lru_cache(maxsize=1 << 14)
def nickname_forms(first: str) -> frozenset[str]:
    """`nickname_group` of the name and of the short forms it is a pet form of
    (`pet_stems`): ROBBIE -> {ROBBIE, ROBERTA, ROB, BOB, BOBBY, ROBERT, ROBERTO}.

    Wider than `nickname_group`, so for search, where a missed person costs more than a
    candidate too many (scoring still weighs the name); linkage keeps the narrower group.
    """
    forms = set(nickname_group(first))
    for stem in pet_stems(first):
        group = nickname_group(stem)
        if len(group) > 1:  # a known short form, not just any three letters
            forms |= group
    return frozenset(forms)
