"""Scars, marks and tattoos as agencies write them: an NCIC-style code on some, and a
free-text description in many wordings ("TAT L FOREARM DRAGON", "dragon tattoo on left
forearm", "dragon tat lfa").

A person's marks are fixed (a spec: type, side, body part, motif); each mention renders
them afresh in one agency's style. This vocabulary is the generator's own; the
normalizer's coverage is measured on a separate hand-written set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["MARK_SPECS", "MARK_WEIGHTS", "MarkSpec", "render_mark"]


@dataclass(frozen=True)
class MarkSpec:
    type: str  # SC, MK, TAT
    side: str  # L, R or ""
    part: str  # NCIC-style part code
    place: str  # the words for the place, e.g. "forearm"
    motif: str  # what the tattoo shows, or the kind of scar or mark

    def code(self) -> str:
        return " ".join(p for p in (self.type, self.side, self.part) if p)


# (part code, sided, places written for it)
_PLACES = (
    ("ARM", True, ("forearm", "upper arm", "arm", "bicep", "inner forearm", "elbow")),
    ("HND", True, ("hand", "back of hand")),
    ("FGR", True, ("fingers", "knuckles")),
    ("WRS", True, ("wrist",)),
    ("NECK", False, ("neck", "back of neck", "throat")),
    ("CHST", True, ("chest", "upper chest")),
    ("BACK", False, ("back", "upper back", "lower back")),
    ("SHLD", True, ("shoulder",)),
    ("LEG", True, ("calf", "thigh", "leg", "shin")),
    ("ANK", True, ("ankle",)),
    ("FACE", False, ("face",)),
    ("CHK", True, ("cheek",)),
    ("EYE", True, ("eyebrow", "eye")),
    ("FHD", False, ("forehead",)),
    ("ABD", False, ("stomach", "abdomen")),
    ("HEAD", False, ("head", "scalp")),
    ("LIP", False, ("lip",)),
    ("EAR", True, ("ear", "earlobe")),
)
_TATTOOS = (
    "dragon",
    "rose",
    "skull",
    "cross",
    "star",
    "stars",
    "heart",
    "eagle",
    "tiger",
    "snake",
    "spider web",
    "barbed wire",
    "tribal design",
    "praying hands",
    "clock",
    "dice",
    "crown",
    "anchor",
    "butterfly",
    "teardrop",
    "the name MOM",
    "initials",
    "numbers 206",
    "letters WA",
    "Virgin Mary",
    "flames",
    "wolf",
    "lion",
    "koi fish",
    "mermaid",
    "compass",
    "dagger",
    "money bag",
    "joker",
    "angel wings",
    "cherry blossom",
    "lightning bolt",
    "sun",
    "moon",
    "music notes",
    "infinity sign",
    "feather",
    "paw prints",
    "Seahawks logo",
    "rosary",
    "script lettering",
    "portrait",
    "dollar sign",
    "hourglass",
    "bird",
    "scorpion",
    "ship",
)
_SCARS = (
    "scar",
    "surgical scar",
    "burn scar",
    "stab wound scar",
    "gunshot wound",
    "keloid",
    "laceration scar",
    "old scar",
)
_MARKS = ("mole", "birthmark", "piercing", "freckles", "port wine stain")
_PART_ABBR = {"forearm": "FA", "upper arm": "UA"}
_TYPE_WORDS = {
    "TAT": ("tattoo", "tat", "TATTOO", "tatt", "tattoo"),
    "SC": ("scar", "SCAR", "scr"),
    "MK": ("mark", "MARK", "mk"),
}
_SIDE_WORDS = {"L": ("left", "L", "lt", "LEFT"), "R": ("right", "R", "rt", "RIGHT")}


def _specs() -> tuple[MarkSpec, ...]:
    out: list[MarkSpec] = []
    for part, sided, places in _PLACES:
        sides = ("L", "R") if sided else ("",)
        for side in sides:
            for place in places:
                for motif in _TATTOOS:
                    out.append(MarkSpec("TAT", side, part, place, motif))
                for motif in _SCARS:
                    out.append(MarkSpec("SC", side, part, place, motif))
                for motif in _MARKS:
                    out.append(MarkSpec("MK", side, part, place, motif))
    return tuple(out)


MARK_SPECS = _specs()

# How common each body part and type is in records: arms and hands far more than lips.
_PART_WEIGHT = {
    "ARM": 30,
    "HND": 8,
    "FGR": 5,
    "WRS": 3,
    "NECK": 9,
    "CHST": 8,
    "BACK": 7,
    "SHLD": 6,
    "LEG": 8,
    "ANK": 2,
    "FACE": 3,
    "CHK": 2,
    "EYE": 2,
    "FHD": 2,
    "ABD": 2,
    "HEAD": 2,
    "LIP": 1,
    "EAR": 1,
}
_TYPE_WEIGHT = {"TAT": 0.65, "SC": 0.27, "MK": 0.08}


def _weights() -> tuple[float, ...]:
    groups: dict[tuple[str, str], int] = {}
    for m in MARK_SPECS:
        groups[(m.type, m.part)] = groups.get((m.type, m.part), 0) + 1
    return tuple(
        _PART_WEIGHT[m.part] * _TYPE_WEIGHT[m.type] / groups[(m.type, m.part)] for m in MARK_SPECS
    )


MARK_WEIGHTS = _weights()


def render_mark(spec: MarkSpec, rng: random.Random, with_code: bool) -> tuple[str | None, str]:
    """(code or None, description) in one of several wordings; never the same every time."""
    side = rng.choice(_SIDE_WORDS[spec.side]) if spec.side else ""
    type_word = rng.choice(_TYPE_WORDS[spec.type])
    motif = spec.motif if spec.type == "TAT" else ""
    kind = spec.motif if spec.type != "TAT" else type_word
    style = rng.randrange(5)
    if style == 0:  # RMS shorthand: TAT L FOREARM DRAGON
        text = " ".join(p for p in (spec.type, spec.side, spec.place, motif) if p).upper()
    elif style == 1 and spec.type == "TAT":  # dragon tattoo on left forearm
        text = f"{motif} tattoo on {side} {spec.place}".replace("  ", " ")
    elif style == 2:  # tattoo of a dragon on left forearm / scar on left forearm
        what = f"tattoo of {motif}" if spec.type == "TAT" else kind
        text = f"{what} on {side} {spec.place}".replace("  ", " ")
    elif style == 3:  # dragon tat lfa
        abbr = _PART_ABBR.get(spec.place)
        where = (
            f"{spec.side.lower()}{abbr.lower()}"
            if abbr and spec.side
            else (f"{side} {spec.place}".strip())
        )
        text = " ".join(p for p in (motif, type_word if spec.type == "TAT" else kind, where) if p)
    else:  # L FOREARM - DRAGON
        where = f"{side} {spec.place}".strip().upper()
        text = f"{where} - {motif.upper() or kind.upper()}"
    return (spec.code() if with_code else None), " ".join(text.split())
