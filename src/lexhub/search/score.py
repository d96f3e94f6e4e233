"""Score one candidate mention against a person query, field by field, with reasons.

The score is the share of the query's evidence the mention bears out: each field the query
gives has a weight; agreement earns weight x similarity; a field the mention does not
record earns nothing and counts half (absence is weak evidence either way); a field that
disagrees also costs a penalty. Only fields the requester may see take part: a withheld
field is neither matched, scored nor explained.

Bands: `possible` from 0.5. `likely` from 0.75 AND with an identifying field in
agreement (date of birth, phone, address, identifier, plate): a name alone, however well
spelled, is not an identification, so a query about someone absent from the data does not
come back `likely` because of a namesake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lexhub.normalize import compact
from lexhub.search.fields import (
    FieldMatch,
    compare_address,
    compare_dob,
    compare_mark,
    compare_phone,
)
from lexhub.search.names import NameMatch, compare_first, compare_last
from lexhub.search.plan import PersonPlan
from lexhub.search.result import Band, Evidence
from lexhub.store import MentionRow

__all__ = ["LIKELY", "POSSIBLE", "Scored", "dob_decides", "score_mention"]

POSSIBLE = 0.5
LIKELY = 0.75

# field: (weight when agreeing, penalty when disagreeing)
WEIGHTS: dict[str, tuple[float, float]] = {
    "last name": (3.0, 1.5),
    "first name": (2.0, 1.0),
    "middle name": (0.5, 0.3),
    "alias": (3.0, 0.0),
    "date of birth": (3.0, 2.0),
    "age": (1.0, 1.0),
    "sex": (0.5, 1.5),
    "race": (0.3, 0.3),
    "height": (0.3, 0.3),
    "weight": (0.3, 0.2),
    "phone": (3.0, 0.3),
    "address": (2.5, 0.3),
    "mark": (2.0, 0.3),
    "identifier": (4.0, 2.0),
    "plate": (2.5, 0.3),
}
IDENTIFYING = frozenset({"date of birth", "phone", "address", "identifier", "plate"})
# A name typed for a person's name, met only among someone's recorded aliases: the same
# match, a little weaker. "Juan Gorman" is more likely the Juan Gorman on record than a
# Paul Gorman who once gave Juan's name, whom ids alone put first.
ALIAS = 0.95


@dataclass
class Scored:
    score: float
    band: Band | None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class _Tally:
    earned: float = 0.0
    attainable: float = 0.0
    penalty: float = 0.0
    identified: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def agree(self, name: str, score: float, text: str) -> None:
        weight, _ = WEIGHTS[name]
        self.earned += weight * score
        self.attainable += weight
        self.evidence.append(Evidence(name, f"{name}: {text}", round(score, 3)))
        # A year of birth (0.75) or a date one digit out (0.8) does not identify anyone;
        # an exact or transposed date does, as does a phone, address, id or plate.
        if name in IDENTIFYING and score >= 0.85:
            self.identified = True

    def disagree(self, name: str, text: str) -> None:
        weight, penalty = WEIGHTS[name]
        self.attainable += weight
        self.penalty += penalty
        # `text` shows the record's side only: the query's value is the requester's own.
        self.evidence.append(Evidence(name, f"{name}: differs ({text})", 0.0))

    def unknown(self, name: str) -> None:
        self.attainable += WEIGHTS[name][0] / 2


def _names(row: MentionRow, withheld: frozenset[str]) -> list[tuple[str, str, str, str]]:
    """(last, first, middle, label) of the names the requester may match."""
    out: list[tuple[str, str, str, str]] = []
    if "person.name" not in withheld and row.last:
        out.append((row.last, row.first or "", row.middle or "", ""))
    if "person.aliases" not in withheld:
        for alias in row.profile.get("a", []):
            out.append((alias[0], alias[1], alias[2], "alias "))
    return out


def _best_name(
    plan: PersonPlan, last: str, first: str, names: list[tuple[str, str, str, str]]
) -> tuple[float, NameMatch | None, NameMatch | None, str, tuple[str, str, str, str] | None]:
    """Best (weighted score, last match, first match, note, name) over names and both
    orders of first and last."""
    best: tuple[float, NameMatch | None, NameMatch | None, str, tuple[str, str, str, str] | None]
    best = (-1.0, None, None, "", None)
    w_last, w_first = WEIGHTS["last name"][0], WEIGHTS["first name"][0]
    for name in names:
        r_last, r_first = name[0], name[1]
        for swapped in (False, True):
            a, b = (r_first, r_last) if swapped else (r_last, r_first)
            ml = compare_last(last, a) if last and a else None
            mf = compare_first(first, b) if first and b else None
            total = (w_last * ml.score if ml else 0) + (w_first * mf.score if mf else 0)
            if swapped:
                total *= 0.9
            if total > best[0]:
                note = "first and last name swapped; " if swapped and (ml or mf) else ""
                best = (total, ml, mf, note, name)
    return best


def dob_decides(plan: PersonPlan) -> bool:
    """Whether a recorded date of birth that contradicts the full date typed leaves a
    mention below `possible` however well everything else agrees: "Smith, born
    1990-03-04" or "John Smith, 1990-03-04", not "John Smith, 1990-03-04, 555-0100".

    With every other field the query gives in full agreement (weight W) and the date
    differing (weight 3, penalty 2) the score is at most (W - 2) / (W + 3); a field the
    mention does not record only lowers it. W counts every field given, withheld or not,
    so the bound holds for any requester."""
    if not plan.dob or len(plan.dob) != 10:
        return False
    q = plan.query
    given = {
        "last name": bool(plan.last),
        "first name": bool(plan.first),
        "middle name": bool(plan.middle),
        "alias": bool(plan.alias_names or plan.alias_word),
        "age": bool(plan.dob_low or plan.dob_high),
        "sex": q.sex is not None,
        "race": q.race is not None,
        "height": q.height_min is not None or q.height_max is not None,
        "weight": q.weight_min is not None or q.weight_max is not None,
        "phone": bool(plan.phone_keys),
        "address": bool(plan.address_key or plan.street_key),
        "mark": bool(q.mark),
        "identifier": bool(plan.ids),
        "plate": bool(plan.plate),
    }
    rest = sum(max(WEIGHTS[f][0], WEIGHTS["date of birth"][0]) if f == "age" else WEIGHTS[f][0]
               for f, on in given.items() if on)  # fmt: skip
    weight, penalty = WEIGHTS["date of birth"]
    return (rest - penalty) / (rest + weight) < POSSIBLE


def score_mention(
    plan: PersonPlan,
    row: MentionRow,
    withheld: frozenset[str],
    plates: list[str],
    today: date,
) -> Scored:
    q = plan.query
    if (
        plan.dob
        and row.dob
        and "person.dob" not in withheld
        and dob_decides(plan)
        and compare_dob(plan.dob, row.dob) is None
    ):
        return Scored(0.0, None)  # the date contradicts the one typed: no hit (above)
    t = _Tally()
    names = _names(row, withheld)
    name_visible = "person.name" not in withheld or "person.aliases" not in withheld
    if (plan.last or plan.first) and name_visible:
        _, ml, mf, note, name = _best_name(plan, plan.last, plan.first, names)
        label = name[3] if name else ""
        own = ALIAS if label else 1.0
        if plan.last:
            if ml:
                t.agree(
                    "last name", ml.score * (0.9 if note else 1) * own, f"{note}{label}{ml.text}"
                )
            elif names:
                other = name or names[0]
                t.disagree("last name", f"{other[3]}{other[0]}")
            else:
                t.unknown("last name")
        if plan.first:
            monikers = row.profile.get("m", []) if "person.aliases" not in withheld else []
            if mf:
                t.agree("first name", mf.score * own, f"{label}{mf.text}")
            elif plan.first in [compact(m) for m in monikers]:
                t.agree("first name", 0.9, f"moniker {plan.first}")
            elif name and name[1]:
                t.disagree("first name", f"{label}{name[1]}")
            else:
                t.unknown("first name")
        if plan.middle and name and name[2]:
            mm = compare_first(plan.middle, name[2])
            if mm:
                t.agree("middle name", mm.score, mm.text)
            else:
                t.disagree("middle name", f"{label}{name[2]}")
    if (plan.alias_names or plan.alias_word) and "person.aliases" not in withheld:
        _alias(plan, row, names, t)
    if "person.dob" not in withheld:
        _dob(plan, row, today, t)
    if "person.descriptors" not in withheld:
        _descriptors(plan, row, t)
    if plan.phone_keys and "person.phones" not in withheld:
        phones = row.profile.get("ph", [])
        _field(t, "phone", compare_phone(plan.phone_keys, phones), bool(phones), q.phone or "")
    if (plan.address_key or plan.street_key) and "person.addresses" not in withheld:
        addresses = row.profile.get("ad", [])
        found = compare_address(plan.address_key, plan.street_key, addresses)
        _field(t, "address", found, bool(addresses), q.address or "")
    if q.mark and "person.marks" not in withheld:
        marks = row.profile.get("mk", [])
        found = compare_mark(plan.mark_code, plan.mark_type_part, plan.mark_words, marks)
        _field(t, "mark", found, bool(marks), q.mark)
    if plan.ids and "person.identifiers" not in withheld:
        recorded = row.profile.get("id", [])
        hit = next(
            (f"{k} {v}" for k, v in plan.ids for rk, _, rv in recorded if rk == k and rv == v),
            None,
        )
        same_kind = any(rk == k for k, _ in plan.ids for rk, _, _ in recorded)
        _field(t, "identifier", FieldMatch(1.0, f"exact {hit}") if hit else None, same_kind,
               ", ".join(v for _, v in plan.ids))  # fmt: skip
    if plan.plate and "record.vehicles" not in withheld:
        _plate(plan, plates, t)
    if t.attainable <= 0:
        return Scored(0.0, None, t.evidence)
    score = max(0.0, min(1.0, (t.earned - t.penalty) / t.attainable))
    band = (
        Band.LIKELY
        if score >= LIKELY and t.identified
        else Band.POSSIBLE
        if score >= POSSIBLE
        else None
    )
    evidence = sorted(t.evidence, key=lambda e: -WEIGHTS[e.field][0] * e.score)
    return Scored(round(score, 4), band, evidence)


def _field(t: _Tally, name: str, found: FieldMatch | None, recorded: bool, typed: str) -> None:
    if found is not None:
        t.agree(name, found.score, found.text)
    elif recorded:
        t.disagree(name, f"none matches {typed}")
    else:
        t.unknown(name)


def _alias(
    plan: PersonPlan, row: MentionRow, names: list[tuple[str, str, str, str]], t: _Tally
) -> None:
    best: tuple[float, str] = (0.0, "")
    for a_last, a_first in plan.alias_names:
        total, ml, mf, note, name = _best_name(plan, a_last, a_first, names)
        if (ml or mf) and name:
            score = total / (WEIGHTS["last name"][0] + WEIGHTS["first name"][0])
            best = max(best, (score, f"{note}{a_last}, {a_first} ~ {name[3]}{name[0]}, {name[1]}"))
    if plan.alias_word:
        monikers = [compact(m) for m in row.profile.get("m", [])]
        if plan.alias_word in monikers:
            best = max(best, (1.0, f"moniker {plan.alias_word}"))
        for name in names:
            for part in (name[0], name[1]):
                m = compare_first(plan.alias_word, part) if part else None
                if m:
                    best = max(best, (m.score * 0.9, f"{name[3]}{m.text}"))
    if best[0] > 0:
        t.agree("alias", best[0], best[1])
    else:
        t.unknown("alias")


def _dob(plan: PersonPlan, row: MentionRow, today: date, t: _Tally) -> None:
    q = plan.query
    if plan.dob:
        if row.dob:
            found = compare_dob(plan.dob, row.dob)
            if found is not None and found.score == 1.0 and plan.dob_typed_swapped:
                found = FieldMatch(0.85, f"day and month transposed {q.dob} ~ {row.dob}")
            _field(t, "date of birth", found, True, plan.dob)
        else:
            t.unknown("date of birth")
    if plan.dob_low or plan.dob_high:
        name = "age" if q.age_min is not None or q.age_max is not None else "date of birth"
        if not row.dob:
            t.unknown(name)
            return
        year = int(row.dob[:4])
        low = plan.dob_low.isoformat() if plan.dob_low else "0000"
        high = plan.dob_high.isoformat() if plan.dob_high else "9999"
        born = row.dob if len(row.dob) == 10 else None
        inside = low <= born <= high if born else (low[:4] <= f"{year:04d}" <= high[:4])
        if name == "age":
            age = today.year - year - (1 if born and born[5:] > today.isoformat()[5:] else 0)
            said = f"{age}" if born else f"{age - 1} or {age} (born {year})"
            text = f"{said} in {q.age_min or 0}-{q.age_max or '…'}"
        else:
            text = f"{row.dob} in {low}..{high}"
        if inside and name == "age":
            # A year recorded alone leaves the age one of two: it is credited with the
            # farther from the witness's guess, so that it does not outrank, by its
            # vagueness, a full date of birth near that guess.
            fit = _age_fit(age, q.age_min, q.age_max)
            if not born:
                fit = min(fit, _age_fit(age - 1, q.age_min, q.age_max))
            t.agree(name, fit, text)
        elif inside:
            t.agree(name, 1.0, text)
        else:
            near = abs(year - int(low[:4])) <= 1 or abs(year - int(high[:4])) <= 1
            if near:
                t.agree(name, 0.4, f"{text} (one year out)")
            else:
                t.disagree(name, text)


def _age_fit(age: int, low: int | None, high: int | None) -> float:
    """1.0 at the middle of a witness's age range, 0.8 at its ends: a range is a guess
    around an age, so among people alike in all else the one nearest that age is the
    better bet (it breaks ties that ids would otherwise break)."""
    if low is None or high is None or high <= low:
        return 1.0
    middle, half = (low + high) / 2, (high - low) / 2
    return round(1.0 - 0.2 * min(1.0, abs(age - middle) / half), 3)


def _descriptors(plan: PersonPlan, row: MentionRow, t: _Tally) -> None:
    q = plan.query
    if q.sex:
        if row.sex in (None, "U"):
            t.unknown("sex")
        elif row.sex == q.sex.value:
            t.agree("sex", 1.0, row.sex)
        else:
            t.disagree("sex", f"{q.sex.value} vs {row.sex}")
    if q.race:
        if row.race in (None, "U"):
            t.unknown("race")
        elif row.race == q.race.value:
            t.agree("race", 1.0, row.race)
        else:
            t.disagree("race", f"{q.race.value} vs {row.race}")
    for name, value, low, high, unit in (
        ("height", row.height_in, q.height_min, q.height_max, "in"),
        ("weight", row.weight_lb, q.weight_min, q.weight_max, "lb"),
    ):
        if low is None and high is None:
            continue
        if value is None:
            t.unknown(name)
        elif (low is None or value >= low) and (high is None or value <= high):
            t.agree(name, 1.0, f"{value} {unit}")
        else:
            t.disagree(name, f"{value} {unit}")


def _plate(plan: PersonPlan, plates: list[str], t: _Tally) -> None:
    assert plan.plate is not None
    if plan.plate_is_pattern:
        import fnmatch

        glob = plan.plate.replace("%", "*").replace("_", "?")
        hit = next((p for p in plates if fnmatch.fnmatchcase(p, glob)), None)
        found = FieldMatch(0.9, f"{hit} fits {plan.query.plate}") if hit else None
    else:
        hit = next((p for p in plates if p == plan.plate), None)
        found = None
        if hit:
            same = plan.query.plate and hit == "".join(
                c for c in plan.query.plate.upper() if c.isalnum()
            )
            how = "exact" if same else "same plate with confusable characters (O/0, I/1, B/8, S/5)"
            found = FieldMatch(1.0, f"{how} {hit}")
    _field(t, "plate", found, bool(plates), plan.query.plate or "")
