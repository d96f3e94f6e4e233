"""The query corrupter: how an investigator retypes what they half remember.

Deliberately separate from the generator's error model (`lexhub.synth`): its own keyboard
typos, its own hand-written nickname table, its own address and tattoo wordings. If both
came from one table, the benchmark would only measure how well search undoes the
generator. Every function takes a `random.Random`, so a seed fixes every query; a
function that does not apply to its input returns None (the caller picks another).
"""

from __future__ import annotations

import calendar
import random
import re

__all__ = [
    "NICKNAMES",
    "confusable_plate",
    "dob_digit",
    "dob_transposed",
    "dob_year_only",
    "initial",
    "nickname",
    "paraphrase_mark",
    "phonetic_respelling",
    "plate_fragment",
    "retype_address",
    "retype_case",
    "retype_phone",
    "street_key",
    "surname_part",
    "typo",
]

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    out: dict[str, str] = {}
    for r, row in enumerate(_ROWS):
        for c, ch in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(_ROWS):
                    near += [_ROWS[rr][i] for i in (c - 1, c) if 0 <= i < len(_ROWS[rr])]
            out[ch] = "".join(near)
    return out


_NEAR = _neighbours()


def _edit(word: str, rng: random.Random) -> str:
    """One keyboard edit of an upper-case word: substitute a neighbour, drop, double or
    insert a neighbour, or swap two adjacent letters."""
    i = rng.randrange(1, len(word))  # the first letter is rarely the one mistyped
    ch = word[i].lower()
    kind = rng.choice(("sub", "del", "ins", "swap"))
    if kind == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "del" and len(word) > 3:
        return word[:i] + word[i + 1 :]
    if kind == "ins":
        extra = rng.choice((ch, rng.choice(_NEAR.get(ch, ch) or ch)))
        return word[: i + 1] + extra.upper() + word[i + 1 :]
    near = _NEAR.get(ch)
    if not near:
        return word[:i] + word[i + 1 :] if len(word) > 3 else word + word[-1]
    return word[:i] + rng.choice(near).upper() + word[i + 1 :]


def typo(name: str, rng: random.Random) -> str | None:
    """One edit (two in a quarter of names of 8+ letters); None for names under 4 letters,
    which search is not asked to match through a typo (Li, Ng, Kim)."""
    letters = name.upper()
    if len(letters) < 4:
        return None
    edits = 2 if len(letters) >= 8 and rng.random() < 0.25 else 1
    out = letters
    while out == letters:  # two edits can undo each other
        for _ in range(edits):
            out = _edit(out, rng)
    return out


# Hand-written: what people are called, not a copy of any package's table.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "ALEXANDER": ("ALEX", "AL", "XANDER"),
    "ALEXANDRA": ("ALEX", "LEXI", "SANDRA"),
    "ALFRED": ("AL", "FRED", "ALFIE"),
    "ALLISON": ("ALLIE",),
    "ANDREW": ("ANDY", "DREW"),
    "ANGELA": ("ANGIE",),
    "ANTHONY": ("TONY",),
    "ABIGAIL": ("ABBY",),
    "BARBARA": ("BARB", "BARBIE"),
    "BENJAMIN": ("BEN", "BENNY"),
    "BRADLEY": ("BRAD",),
    "CAMERON": ("CAM",),
    "CATHERINE": ("CATHY", "KATE", "CAT"),
    "CHARLES": ("CHARLIE", "CHUCK", "CHAS"),
    "CHRISTINA": ("CHRISTY", "TINA", "CHRIS"),
    "CHRISTINE": ("CHRIS", "CHRISSY"),
    "CHRISTOPHER": ("CHRIS", "TOPHER"),
    "CYNTHIA": ("CINDY",),
    "DANIEL": ("DAN", "DANNY"),
    "DAVID": ("DAVE", "DAVEY"),
    "DEBORAH": ("DEB", "DEBBIE"),
    "DEBRA": ("DEB", "DEBBIE"),
    "DONALD": ("DON", "DONNIE"),
    "DOUGLAS": ("DOUG",),
    "EDWARD": ("ED", "EDDIE", "TED"),
    "ELIZABETH": ("LIZ", "BETH", "BETTY", "LIZZIE"),
    "EMILY": ("EM", "EMMY"),
    "FREDERICK": ("FRED", "FREDDIE"),
    "GABRIEL": ("GABE",),
    "GERALD": ("JERRY",),
    "GREGORY": ("GREG",),
    "HAROLD": ("HARRY", "HAL"),
    "HENRY": ("HANK",),
    "JACQUELINE": ("JACKIE",),
    "JAMES": ("JIM", "JIMMY", "JAMIE"),
    "JEFFREY": ("JEFF",),
    "JENNIFER": ("JEN", "JENNY"),
    "JESSICA": ("JESS", "JESSIE"),
    "JOHN": ("JACK", "JOHNNY"),
    "JONATHAN": ("JON", "JONNY"),
    "JOSEPH": ("JOE", "JOEY"),
    "JOSHUA": ("JOSH",),
    "JUDITH": ("JUDY",),
    "KATHERINE": ("KATE", "KATIE", "KATHY"),
    "KATHLEEN": ("KATHY", "KATE"),
    "KATHRYN": ("KATHY", "KATE"),
    "KENNETH": ("KEN", "KENNY"),
    "KIMBERLY": ("KIM",),
    "LAWRENCE": ("LARRY",),
    "LEONARD": ("LEN", "LENNY"),
    "MARGARET": ("MAGGIE", "PEGGY", "MEG"),
    "MATTHEW": ("MATT",),
    "MICHAEL": ("MIKE", "MIKEY", "MICKEY"),
    "MICHELLE": ("SHELLY",),
    "NATHAN": ("NATE",),
    "NATHANIEL": ("NATE", "NATHAN"),
    "NICHOLAS": ("NICK", "NICKY"),
    "NICOLE": ("NIKKI",),
    "PAMELA": ("PAM",),
    "PATRICIA": ("PAT", "PATTY", "TRISH"),
    "PATRICK": ("PAT", "PADDY"),
    "PETER": ("PETE",),
    "PHILIP": ("PHIL",),
    "PHILLIP": ("PHIL",),
    "RAYMOND": ("RAY",),
    "REBECCA": ("BECKY", "BECCA"),
    "RICHARD": ("RICK", "RICH", "DICK", "RICKY"),
    "ROBERT": ("BOB", "ROB", "BOBBY", "ROBBIE"),
    "RONALD": ("RON", "RONNIE"),
    "SAMANTHA": ("SAM", "SAMMY"),
    "SAMUEL": ("SAM", "SAMMY"),
    "SANDRA": ("SANDY",),
    "STEPHANIE": ("STEPH",),
    "STEPHEN": ("STEVE",),
    "STEVEN": ("STEVE", "STEVIE"),
    "SUSAN": ("SUE", "SUSIE"),
    "TERESA": ("TERRY", "TESS"),
    "THERESA": ("TERRY", "TESS"),
    "THOMAS": ("TOM", "TOMMY"),
    "TIMOTHY": ("TIM", "TIMMY"),
    "VICTORIA": ("VICKY", "TORI"),
    "VINCENT": ("VINNY", "VINCE"),
    "WALTER": ("WALT",),
    "WILLIAM": ("BILL", "WILL", "BILLY", "LIAM"),
    "ZACHARY": ("ZACH", "ZACK"),
}


def nickname(first: str, rng: random.Random) -> str | None:
    names = NICKNAMES.get(first.upper())
    return rng.choice(names) if names else None


# Spelling by ear: (pattern, replacement) pairs tried in random order, one applied.
_SOUNDS = (
    (r"PH", "F"),
    (r"^C(?=[AOU])", "K"),
    (r"^K(?=[AOU])", "C"),
    (r"Y", "I"),
    (r"(?<=[A-Z])I(?=[^AEIOU]|$)", "Y"),
    (r"SON$", "SEN"),
    (r"SEN$", "SON"),
    (r"([BDFGLMNPRST])\1", r"\1"),
    (r"(?<=[AEIOU])([LNRT])(?=[AEIOU])", r"\1\1"),
    (r"^MAC", "MC"),
    (r"^MC", "MAC"),
    (r"EY$", "Y"),
    (r"IE$", "Y"),
    (r"CK", "K"),
    (r"TH", "T"),
    (r"Z", "S"),
    (r"(?<=[AEIOU])S(?=[AEIOU])", "Z"),
)


def phonetic_respelling(name: str, rng: random.Random) -> str | None:
    """Smith -> Smyth, Katherine -> Catherine: the name as it sounds, spelled again."""
    upper = name.upper()
    if len(upper) < 4:
        return None
    rules = list(_SOUNDS)
    rng.shuffle(rules)
    for pattern, repl in rules:
        out = re.sub(pattern, repl, upper, count=1)
        if out != upper and len(out) >= 2:
            return out
    return None


def initial(first: str) -> str:
    return first[:1].upper()


def surname_part(last: str, rng: random.Random) -> str | None:
    """One half of GARCIA-LOPEZ or DE LA CRUZ style compound surnames."""
    parts = [p for p in re.split(r"[-\s]+", last) if len(p) > 2]
    return rng.choice(parts) if len(parts) > 1 else None


def retype_case(text: str, rng: random.Random) -> str:
    """Investigators type in any case; search must not care."""
    return rng.choice((text.upper(), text.lower(), text.title(), text.upper()))


def _valid(y: int, m: int, d: int) -> bool:
    return 1900 <= y <= 2030 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def _split(dob: str) -> tuple[int, int, int] | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", dob)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def dob_transposed(dob: str) -> str | None:
    """1985-03-07 -> 1985-07-03; None when the day cannot be a month or equals it."""
    parts = _split(dob)
    if parts is None:
        return None
    y, m, d = parts
    if d > 12 or d == m:
        return None
    return f"{y:04d}-{d:02d}-{m:02d}"


def dob_digit(dob: str, rng: random.Random) -> str | None:
    """One digit of the year's last two, the month or the day off by one, still a date."""
    parts = _split(dob)
    if parts is None:
        return None
    digits = list(dob.replace("-", ""))
    positions = [2, 3, 4, 5, 6, 7]
    rng.shuffle(positions)
    for pos in positions:
        for step in rng.sample((-1, 1), 2):
            new = digits.copy()
            v = int(new[pos]) + step
            if not 0 <= v <= 9:
                continue
            new[pos] = str(v)
            s = "".join(new)
            y, m, d = int(s[:4]), int(s[4:6]), int(s[6:])
            if _valid(y, m, d):
                return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def dob_year_only(dob: str) -> str | None:
    return dob[:4] if re.match(r"\d{4}", dob) else None


def retype_phone(number: str, rng: random.Random) -> str | None:
    """The same number in another of the ways people write it, or its last seven digits."""
    digits = re.sub(r"\D", "", number.split("x")[0].split("ext")[0])
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) not in (7, 10):
        return None
    loc = digits[-7:]
    styles = [f"{loc[:3]}-{loc[3:]}", loc, f"{loc[:3]} {loc[3:]}"]
    if len(digits) == 10:
        a = digits[:3]
        styles += [
            f"({a}) {loc[:3]}-{loc[3:]}",
            f"{a}.{loc[:3]}.{loc[3:]}",
            digits,
            f"{a}-{loc[:3]}-{loc[3:]}",
            f"+1 {a} {loc[:3]} {loc[3:]}",
            f"1{digits}",
            f"{a} {loc}",
        ]
    choices = [s for s in styles if s != number.strip()]
    return rng.choice(choices)


_SUFFIXES = {
    "STREET": ("ST",),
    "AVENUE": ("AVE", "AV"),
    "ROAD": ("RD",),
    "BOULEVARD": ("BLVD",),
    "DRIVE": ("DR",),
    "LANE": ("LN",),
    "PLACE": ("PL",),
    "COURT": ("CT",),
    "TERRACE": ("TER",),
    "CIRCLE": ("CIR",),
    "PARKWAY": ("PKWY",),
    "HIGHWAY": ("HWY",),
    "WAY": ("WY",),
    "TRAIL": ("TRL",),
    "SQUARE": ("SQ",),
}
_DIRECTIONS = {
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
}
_LONG = {a: full for full, abbrs in _SUFFIXES.items() for a in abbrs} | {
    a: full for full, a in _DIRECTIONS.items()
}
_SHORT = {full: abbrs for full, abbrs in _SUFFIXES.items()} | {
    full: (a,) for full, a in _DIRECTIONS.items()
}
_UNIT = re.compile(r"(?:\b(?:APT|APARTMENT|UNIT|STE|SUITE)\b\.?|#)\s*([0-9A-Z]+)\b")
# Suffixes with no abbreviation: they still end the street part of a line.
_PLAIN_SUFFIXES = frozenset({"LOOP", "ROW", "RUN", "WALK", "PATH", "PIKE", "ALLEY", "PLAZA"})


def retype_address(text: str, rng: random.Random) -> str | None:
    """Abbreviate or spell out the suffix and directions, write the unit another way, drop
    the city or ZIP; the house number and street name stay as they were. None if no draw
    changes anything (a bare "9521 SUMMIT" has nothing to abbreviate)."""
    for _ in range(10):
        out = _retype_address(text, rng)
        if out is not None:
            return out
    return None


def _retype_address(text: str, rng: random.Random) -> str | None:
    line, _, rest = text.upper().partition(",")
    if not rest:  # "261 Crest Ct Apt 45 Spokane Wa": the city follows the suffix or unit
        line, rest = _split_city(line)
    unit = _UNIT.search(line)
    unit_no = unit.group(1) if unit else None
    street = _UNIT.sub("", line).split()
    changed = False
    for i, word in enumerate(street):
        if i == 0 and word.isdigit():
            continue
        if word in _LONG and rng.random() < 0.7:
            street[i], changed = _LONG[word], True
        elif word in _SHORT and rng.random() < 0.7:
            street[i], changed = rng.choice(_SHORT[word]), True
    out = " ".join(street)
    if unit_no:
        form = rng.choice(("APT {}", "#{}", "UNIT {}", "# {}", "APARTMENT {}", "STE {}"))
        new_unit = form.format(unit_no)
        changed |= new_unit != unit.group(0).strip() if unit else True
        out += (" " if rng.random() < 0.7 else ", ") + new_unit
    tail = rest.strip()
    roll = rng.random()
    if tail and roll < 0.5:
        changed = True  # the investigator leaves the city and ZIP off
    elif tail:
        city = tail.split(",")[0].strip()
        keep_zip = roll < 0.8
        out += ", " + (tail if keep_zip else city)
        changed |= not keep_zip
    if not changed:
        return None
    return retype_case(re.sub(r"\s+", " ", out).strip(), rng)


def street_key(text: str) -> str:
    """House number and street, spelled out, without unit, city or ZIP: what every
    retyping of one address keeps (used to find addresses several people share)."""
    line, _, rest = text.upper().partition(",")
    if not rest:
        line, _ = _split_city(line)
    words = _UNIT.sub("", line).replace(".", " ").split()
    return " ".join(_LONG.get(w, w) for w in words)


def _split_city(line: str) -> tuple[str, str]:
    words = line.split()
    end = None
    for i, w in enumerate(words[1:], 1):
        if w in _SUFFIXES or w in _PLAIN_SUFFIXES or _LONG.get(w) in _SUFFIXES:
            end = i + 1
            if end < len(words) and (words[end] in _DIRECTIONS or words[end] in _LONG):
                end += 1
            break
    if end is None:
        return line, ""
    unit = _UNIT.match(" ".join(words[end:]))
    if unit:
        end += len(unit.group(0).split())
    return " ".join(words[:end]), " ".join(words[end:])


# Marks: parse the record's wording into side, place and motif, say it another way.
_TYPE_WORDS = {"tattoo": "TAT", "tat": "TAT", "tatt": "TAT", "tattoos": "TAT", "ink": "TAT"}
_TYPE_WORDS |= {"scar": "SC", "scr": "SC", "sc": "SC", "mark": "MK", "mk": "MK"}
_SIDES = {"left": "L", "l": "L", "lt": "L", "right": "R", "r": "R", "rt": "R"}
_FILLER = {"on", "of", "a", "an", "-", "the"}
_PLACE_SAID = {
    "inner forearm": ("forearm", "arm", "inside of arm"),
    "forearm": ("forearm", "arm", "lower arm"),
    "upper arm": ("upper arm", "arm", "bicep"),
    "bicep": ("arm", "upper arm", "bicep"),
    "arm": ("arm",),
    "elbow": ("elbow", "arm"),
    "back of hand": ("hand", "back of hand"),
    "hand": ("hand",),
    "knuckles": ("knuckles", "fingers", "hand"),
    "fingers": ("fingers", "finger", "hand"),
    "wrist": ("wrist",),
    "back of neck": ("neck", "back of neck"),
    "throat": ("neck", "throat"),
    "neck": ("neck",),
    "upper chest": ("chest",),
    "chest": ("chest",),
    "upper back": ("back", "upper back"),
    "lower back": ("back", "lower back"),
    "back": ("back",),
    "shoulder": ("shoulder",),
    "calf": ("calf", "leg", "lower leg"),
    "thigh": ("thigh", "leg"),
    "shin": ("shin", "leg"),
    "leg": ("leg",),
    "ankle": ("ankle",),
    "face": ("face",),
    "cheek": ("cheek", "face"),
    "eyebrow": ("eyebrow", "face"),
    "eye": ("eye", "face", "under eye"),
    "forehead": ("forehead", "face"),
    "stomach": ("stomach", "belly", "abdomen"),
    "abdomen": ("stomach", "abdomen"),
    "scalp": ("head", "scalp"),
    "head": ("head",),
    "lip": ("lip", "mouth"),
    "earlobe": ("ear", "earlobe"),
    "ear": ("ear",),
}
_PLACE_ABBR = {"fa": "forearm", "ua": "upper arm"}
_MOTIF_SAID = {
    "spider web": ("spiderweb", "web", "spider web"),
    "barbed wire": ("barbwire", "barbed wire"),
    "tribal design": ("tribal", "tribal design"),
    "praying hands": ("praying hands", "hands praying"),
    "teardrop": ("tear drop", "teardrop", "tear"),
    "koi fish": ("koi", "fish", "koi fish"),
    "angel wings": ("wings", "angel wings"),
    "cherry blossom": ("cherry blossoms", "flowers", "cherry blossom"),
    "lightning bolt": ("lightning", "lightning bolt"),
    "music notes": ("music note", "musical notes"),
    "infinity sign": ("infinity symbol", "infinity"),
    "paw prints": ("paw print", "pawprints"),
    "seahawks logo": ("seahawks", "seahawks logo"),
    "dollar sign": ("$ sign", "dollar sign"),
    "money bag": ("moneybag", "money bag"),
    "flames": ("fire", "flames"),
    "stars": ("star", "stars"),
    "rose": ("roses", "rose", "flower"),
    "skull": ("skulls", "skull"),
    "cross": ("crucifix", "cross"),
    "name mom": ("mom", "name mom"),
    "numbers 206": ("206",),
    "letters wa": ("WA",),
    "virgin mary": ("virgin mary", "mary"),
    "gunshot wound": ("gsw scar", "gunshot scar"),
    "stab wound scar": ("stab scar", "knife scar"),
    "surgical scar": ("surgery scar", "surgical scar"),
}


def _parse_mark(code: str | None, text: str) -> tuple[str, str, str | None, str] | None:
    """(type, side, place, motif) from a description in any of the records' wordings."""
    words = re.sub(r"[^\w\s-]", " ", text.lower()).replace(" - ", " ").split()
    kind = side = place = None
    motif: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        two = " ".join(words[i : i + 2])
        three = " ".join(words[i : i + 3])
        if three in _PLACE_SAID and place is None:
            place, i = three, i + 3
            continue
        if two in _PLACE_SAID and place is None:
            place, i = two, i + 2
            continue
        m = re.fullmatch(r"([lr])(fa|ua)", w)
        if m and place is None:
            side, place = m[1].upper(), _PLACE_ABBR[m[2]]
        elif w in _PLACE_SAID and place is None:
            place = w
        elif w in _SIDES and side is None:
            side = _SIDES[w]
        elif w in _TYPE_WORDS and kind is None:
            kind = _TYPE_WORDS[w]
        elif w not in _FILLER:
            motif.append(w)
        i += 1
    said = " ".join(motif)
    if kind is None and code:
        kind = code.split()[0].upper()
    if kind is None:  # "LIP - GUNSHOT WOUND": the motif says what it is
        if re.search(r"scar|wound|keloid", said):
            kind = "SC"
        elif re.search(r"mole|birthmark|piercing|freckle|stain", said):
            kind = "MK"
        else:
            kind = "TAT"
    if kind == "SC" and said and "scar" not in said and "wound" not in said:
        said += " scar"
    return kind, side or "", place, said


def paraphrase_mark(code: str | None, text: str, rng: random.Random) -> str | None:
    """The same scar, mark or tattoo in an investigator's words: another wording for the
    place (forearm -> arm), the motif (spider web -> spiderweb), the side, and word order;
    sometimes no side (not remembered)."""
    parsed = _parse_mark(code, text)
    if parsed is None:
        return None
    kind, side, place, motif = parsed
    if not motif and kind == "TAT":
        return None
    motif = rng.choice(_MOTIF_SAID.get(motif, (motif,))) if motif else ""
    where = rng.choice(_PLACE_SAID[place]) if place else ""
    side_word = ""
    if side and where and rng.random() < 0.8:
        side_word = rng.choice({"L": ("left", "L", "lt"), "R": ("right", "R", "rt")}[side])
    at = f"{side_word} {where}".strip()
    if kind == "TAT":
        noun = rng.choice(("tattoo", "tat", "tattoo", "tatt"))
        forms = [f"{motif} {noun} {at}", f"{noun} of {motif} on {at}", f"{at} {motif} {noun}"]
        if not at:
            forms = [f"{motif} {noun}", f"{noun} {motif}"]
    else:
        what = motif or ("scar" if kind == "SC" else "mark")
        forms = [f"{what} {at}", f"{what} on {at}", f"{at} {what}"]
    out = re.sub(r"\s+", " ", rng.choice(forms)).strip()
    out = re.sub(r"\bon$", "", out).strip()
    return retype_case(out, rng) if out.lower() != text.lower() else None


_CONFUSABLE = {"O": "0", "0": "O", "I": "1", "1": "I", "B": "8", "8": "B", "S": "5", "5": "S"}
_CONFUSABLE |= {"Z": "2", "2": "Z"}


def _plate(plate: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", plate.upper())


def confusable_plate(plate: str, rng: random.Random) -> str | None:
    """One character read as its look-alike (O/0, I/1, B/8, S/5, Z/2)."""
    p = _plate(plate)
    spots = [i for i, ch in enumerate(p) if ch in _CONFUSABLE]
    if not spots:
        return None
    i = rng.choice(spots)
    return p[:i] + _CONFUSABLE[p[i]] + p[i + 1 :]


def plate_fragment(plate: str, rng: random.Random) -> str | None:
    """What a witness caught: a prefix, a suffix, or both ends with `*` between; at least
    four known characters so that a fragment can single out a vehicle."""
    p = _plate(plate)
    if len(p) < 5:
        return None
    shape = rng.choice(("prefix", "suffix", "ends"))
    if shape == "prefix":
        n = rng.randint(4, len(p) - 1)
        return p[:n] + "*"
    if shape == "suffix":
        n = rng.randint(4, len(p) - 1)
        return "*" + p[-n:]
    a = rng.randint(2, 3)
    b = rng.randint(2, min(3, len(p) - a - 1))
    return p[:a] + "*" + p[-b:]
