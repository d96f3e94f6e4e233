"""NIBRS offense categories, the unit withholding rules are conditioned on.

N-DEx's owners withhold the identity of rape victims while sharing the rest of the
incident; a rule needs to know "this record involves a sex offense" without listing every
code. Categories follow the NIBRS offense groups; a record falls into every category of any
of its offenses. Unknown codes fall into no category (rules about them then do not apply,
which is why the sex-offense list errs on the side of including).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["OffenseCategory", "offense_categories"]


class OffenseCategory(StrEnum):
    SEX_OFFENSE = "sex-offense"  # 11A-11D forcible, 36A-36B non-forcible, 370, 40A-40C
    CRIME_AGAINST_PERSON = "person"
    CRIME_AGAINST_PROPERTY = "property"
    CRIME_AGAINST_SOCIETY = "society"
    JUVENILE = "juvenile"  # 90C-era status offenses kept by some RMSs: curfew, runaway


_SEX = {"11A", "11B", "11C", "11D", "36A", "36B", "370", "40A", "40B", "40C", "64A", "64B"}
_PERSON = {"09A", "09B", "09C", "100", "13A", "13B", "13C", "64A", "64B", "11A", "11B",
           "11C", "11D", "36A", "36B"}  # fmt: skip
_PROPERTY = {"120", "200", "210", "220", "23A", "23B", "23C", "23D", "23E", "23F", "23G",
             "23H", "240", "250", "26A", "26B", "26C", "26D", "26E", "26F", "26G", "270",
             "280", "290", "510"}  # fmt: skip
_SOCIETY = {"35A", "35B", "39A", "39B", "39C", "39D", "370", "40A", "40B", "40C", "520",
            "720", "90D", "90E", "90F", "90G", "90J"}  # fmt: skip
_JUVENILE = {"90B", "90C", "90I"}

_BY_CODE: dict[str, frozenset[OffenseCategory]] = {}
for _codes, _category in (
    (_SEX, OffenseCategory.SEX_OFFENSE),
    (_PERSON, OffenseCategory.CRIME_AGAINST_PERSON),
    (_PROPERTY, OffenseCategory.CRIME_AGAINST_PROPERTY),
    (_SOCIETY, OffenseCategory.CRIME_AGAINST_SOCIETY),
    (_JUVENILE, OffenseCategory.JUVENILE),
):
    for _code in _codes:
        _BY_CODE[_code] = _BY_CODE.get(_code, frozenset()) | {_category}


def offense_categories(codes: Iterable[str]) -> frozenset[OffenseCategory]:
    """Every category of any of `codes` (NIBRS codes, any case)."""
    out: frozenset[OffenseCategory] = frozenset()
    for code in codes:
        out |= _BY_CODE.get(code.strip().upper(), frozenset())
    return out
