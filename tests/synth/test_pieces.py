"""The generator's parts: error functions, name tables, config checks, writer fallback."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lexhub.synth.write as synth_write
from lexhub.synth import SynthConfig, write_region
from lexhub.synth.errors import Identity, apply_error, typo
from lexhub.synth.names import first_names, nickname_variants, surnames

WORDS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ-' ", min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(word=WORDS, seed=st.integers(0, 2**32))
def test_a_typo_always_changes_the_word(word: str, seed: int) -> None:
    assert typo(word, random.Random(seed)) != word


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), day=st.dates(date(1930, 1, 1), date(2012, 12, 31)))
def test_an_error_changes_name_or_date_and_keeps_dates_valid(seed: int, day: date) -> None:
    ident = Identity("WILLIAM", "JAMES", "GARCIA", "", (day.year, day.month, day.day), "")
    kind = apply_error(ident, random.Random(seed))
    y, m, d = ident.dob
    if m is not None and d is not None:
        date(y, m, d)  # raises if impossible
    changed = (ident.first, ident.last, ident.dob) != (
        "WILLIAM",
        "GARCIA",
        (day.year, day.month, day.day),
    )
    assert changed, kind


def test_name_tables_are_census_and_ssa_scale() -> None:
    assert len(surnames().names) > 80_000
    boys_1985 = first_names().table(1985, "M").names
    girls_1950 = first_names().table(1950, "F").names
    assert boys_1985[0] == "MICHAEL" and "MARY" in girls_1950[:5]
    assert "BILL" in nickname_variants("WILLIAM")
    assert list(nickname_variants("MARGARET")) == sorted(nickname_variants("MARGARET"))


def test_config_rejects_unknown_formats_and_empty_regions() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        SynthConfig(formats=("parquet",))
    with pytest.raises(ValueError, match="records"):
        SynthConfig(records=0)


def test_unknown_state_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='"ZZ"'):
        write_region(SynthConfig(state="ZZ", people=10, records=10), tmp_path)


def test_a_missing_writer_falls_back_to_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: object, **kwargs: object) -> int:
        raise NotImplementedError

    monkeypatch.setattr(synth_write, "write_csv", missing)
    config = SynthConfig(agencies=2, people=200, records=400, formats=("jsonl", "csv"), workers=1)
    summary = write_region(config, tmp_path)
    ids = [a["id"] for a in json.loads((tmp_path / "agencies.json").read_text("utf-8"))]
    assert summary.files[ids[1]] == f"{ids[1]}.jsonl"
    assert not list(tmp_path.glob("*.csv"))
    assert len(summary.fallbacks) == 1 and ids[1] in summary.fallbacks[0]
    lines = (tmp_path / f"{ids[1]}.jsonl").read_text("utf-8").splitlines()
    truth = (tmp_path / "truth" / "ground_truth.csv").read_text("utf-8").splitlines()
    mentions = sum(len(json.loads(x).get("persons", [])) for x in lines)
    assert mentions == sum(1 for t in truth if t.startswith(ids[1]))
