"""The search benchmark's query corrupter does what docs/search-benchmark.md says: each
corruption changes what it claims to and keeps what a real investigator would still know,
and a seed fixes every query."""

from __future__ import annotations

import re
import sys
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from random import Random

import pytest
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import search_corrupt as c  # noqa: E402
from search_data import PersonFacts  # noqa: E402
from search_queries import ABSENT_MIX, MIX, NAME_TYPES, build_queries  # noqa: E402

SEEDS = range(200)


@pytest.mark.parametrize("name", ["MARGARET", "SMITH", "CHRISTOPHER", "ROSE", "GARCIA-LOPEZ"])
def test_typo_is_one_or_two_edits_and_keeps_the_first_letter(name: str) -> None:
    for seed in SEEDS:
        out = c.typo(name, Random(seed))
        assert out is not None and out != name and out[0] == name[0]
        # a transposition of neighbours is one typing error (Damerau-Levenshtein)
        assert 1 <= DamerauLevenshtein.distance(out, name) <= (2 if len(name) >= 8 else 1)


def test_short_names_get_no_typo() -> None:
    assert all(c.typo(n, Random(1)) is None for n in ("LI", "NG", "KIM"))


def test_nickname_comes_from_the_hand_written_table() -> None:
    got = {c.nickname("William", Random(s)) for s in SEEDS}
    assert got == set(c.NICKNAMES["WILLIAM"])
    assert c.nickname("ZZYZX", Random(1)) is None


def test_phonetic_respelling_changes_the_spelling_not_the_start_much() -> None:
    for seed in SEEDS:
        out = c.phonetic_respelling("KATHERINE", Random(seed))
        assert out is not None and out != "KATHERINE"
        assert Levenshtein.distance(out, "KATHERINE") <= 2
    assert c.phonetic_respelling("NG", Random(1)) is None


def test_dates_of_birth_are_wrong_the_ways_people_get_them_wrong() -> None:
    assert c.dob_transposed("1985-03-07") == "1985-07-03"
    assert c.dob_transposed("1985-03-17") is None  # 17 cannot be a month
    assert c.dob_transposed("1985-04-04") is None
    assert c.dob_year_only("1985-03-07") == "1985"
    for seed in SEEDS:
        out = c.dob_digit("1985-03-07", Random(seed))
        assert out is not None
        date.fromisoformat(out)
        diffs = [(a, b) for a, b in zip(out, "1985-03-07", strict=True) if a != b]
        assert len(diffs) == 1 and abs(int(diffs[0][0]) - int(diffs[0][1])) == 1
        assert out[:2] == "19"  # the century is never the digit mistyped


def test_retyped_phone_is_the_same_number_or_its_last_seven_digits() -> None:
    seen = set()
    for seed in SEEDS:
        out = c.retype_phone("(206) 551-6590", Random(seed))
        assert out is not None and out != "(206) 551-6590"
        digits = re.sub(r"\D", "", out)
        assert digits in ("5516590", "2065516590", "12065516590")
        seen.add(len(digits))
    assert seen == {7, 10, 11}
    assert c.retype_phone("551-659", Random(1)) is None


def test_retyped_address_keeps_number_and_street_name() -> None:
    text = "2568 E MADISON BLVD APT 12, BURIEN, WA 98166"
    forms = set()
    for seed in SEEDS:
        out = c.retype_address(text, Random(seed))
        assert out is not None
        up = out.upper()
        assert up.startswith("2568 ") and " MADISON " in up and "12" in up
        assert up != text
        forms.add(up)
    assert any("BOULEVARD" in f for f in forms) and any("#" in f for f in forms)
    assert any("BURIEN" not in f for f in forms)


@pytest.mark.parametrize(
    ("code", "text", "motif", "side"),
    [
        ("TAT L ARM", "TAT L FOREARM DRAGON", {"dragon"}, "L"),
        (None, "dragon tat lfa", {"dragon"}, "L"),
        ("TAT R FGR", "cross tattoo on RIGHT knuckles", {"cross", "crucifix"}, "R"),
        (None, "L WRIST - SPIDER WEB", {"spiderweb", "web", "spider web"}, "L"),
        (None, "LIP - GUNSHOT WOUND", {"gsw scar", "gunshot scar"}, ""),
    ],
)
def test_mark_is_described_in_other_words(
    code: str | None, text: str, motif: set[str], side: str
) -> None:
    other = {"L": r"\b(right|r|rt)\b", "R": r"\b(left|l|lt)\b", "": r"\b(left|right)\b"}[side]
    for seed in SEEDS:
        out = c.paraphrase_mark(code, text, Random(seed))
        assert out is not None and out.lower() != text.lower()
        low = out.lower()
        assert any(m.lower() in low for m in motif), out
        assert not re.search(other, low), out  # never the other side


def test_confusable_plate_swaps_one_look_alike() -> None:
    pairs = {frozenset(p) for p in ("O0", "I1", "B8", "S5", "Z2")}
    for seed in SEEDS:
        out = c.confusable_plate("BOS 1234", Random(seed))
        assert out is not None and len(out) == 7
        diff = [(a, b) for a, b in zip(out, "BOS1234", strict=True) if a != b]
        assert len(diff) == 1 and frozenset(diff[0]) in pairs
    assert c.confusable_plate("ACD 3467", Random(1)) is None


def test_plate_fragment_is_a_wildcard_that_still_matches() -> None:
    for seed in SEEDS:
        out = c.plate_fragment("FYY-1993", Random(seed))
        assert out is not None and out.count("*") == 1
        assert fnmatchcase("FYY1993", out) and len(out) - 1 >= 4


def _people(n: int) -> list[PersonFacts]:
    firsts = ["WILLIAM", "MARGARET", "JOHN", "KATHERINE", "ZELDA"]
    return [
        PersonFacts(
            person_id=f"P{i:05d}",
            mentions=2,
            last=f"SURNAME{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}",
            first=firsts[i % len(firsts)],
            middle="Q",
            dob=f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}",
            sex="MF"[i % 2],
            clean=True,
            monikers=("SPIDER",) if i % 7 == 0 else (),
            phones=(f"(206) 555-{i:04d}",),
            addresses=(f"{100 + i} N MAIN ST, SEATTLE, WA 98101",),
            marks=(("TAT L ARM", "TAT L FOREARM DRAGON"),),
            plates=(f"ABC{i:04d}",),
        )
        for i in range(n)
    ]


def test_queries_follow_the_mix_and_are_fixed_by_the_seed() -> None:
    present, absent = _people(600), _people(300)[::-1]
    queries = build_queries(present, absent, 400, 100, seed=3)
    assert queries == build_queries(present, absent, 400, 100, seed=3)
    assert queries != build_queries(present, absent, 400, 100, seed=4)
    for kind, share in MIX.items():
        assert sum(q.kind == kind and not q.absent for q in queries) == round(400 * share)
    for kind, share in ABSENT_MIX.items():
        assert sum(q.kind == kind and q.absent for q in queries) == round(100 * share)
    assert all(q.kind in NAME_TYPES for q in queries if q.absent)
    assert all(not q.query.is_empty for q in queries)
    nick = [q for q in queries if q.kind == "nickname+age" and "nickname" in q.corruptions]
    assert nick and all(
        (q.query.first or "").upper()
        in {
            "BILL",
            "WILL",
            "BILLY",
            "LIAM",
            "MAGGIE",
            "PEGGY",
            "MEG",
            "JACK",
            "JOHNNY",
            "KATE",
            "KATIE",
            "KATHY",
        }
        for q in nick
    )


def test_every_retyping_of_an_address_keeps_its_street_key() -> None:
    texts = {
        "350 33RD AVE SW APT 12, BURIEN, WA 98168": "350 33RD AVENUE SOUTHWEST",
        "261 Crest Ct Apt 45 Spokane Wa": "261 CREST COURT",
        "474 Baker Loop #263 Mount Vernon Wa": "474 BAKER LOOP",
        "12244 S Stevens Loop Pasco Wa": "12244 SOUTH STEVENS LOOP",  # STEVENS is no suite
    }
    for text, key in texts.items():
        assert c.street_key(text) == key
        for seed in range(50):
            out = c.retype_address(text, Random(seed))
            assert out is not None and c.street_key(out) == key, out
