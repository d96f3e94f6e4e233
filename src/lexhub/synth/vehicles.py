"""Vehicles people own: plates (state + 7 characters), VINs, makes, models, colours."""

from __future__ import annotations

import numpy as np

__all__ = ["VehicleTable", "make_vehicles"]

# (NCIC-style make abbreviation, models, WMI prefix for the VIN)
_MAKES = (
    ("TOYT", ("CAMRY", "COROLLA", "TACOMA", "RAV4", "PRIUS", "SIENNA", "4RUNNER"), "JT"),
    ("HOND", ("CIVIC", "ACCORD", "CR-V", "ODYSSEY", "PILOT"), "1HG"),
    ("FORD", ("F-150", "ESCAPE", "FOCUS", "EXPLORER", "RANGER", "FUSION"), "1FT"),
    ("CHEV", ("SILVERADO", "MALIBU", "IMPALA", "EQUINOX", "TAHOE", "CRUZE"), "1GC"),
    ("NISS", ("ALTIMA", "SENTRA", "ROGUE", "FRONTIER", "MAXIMA"), "1N4"),
    ("SUBA", ("OUTBACK", "FORESTER", "IMPREZA", "LEGACY", "CROSSTREK"), "JF1"),
    ("DODG", ("RAM", "CHARGER", "CARAVAN", "DURANGO"), "1C4"),
    ("HYUN", ("ELANTRA", "SONATA", "TUCSON", "SANTA FE"), "KMH"),
    ("VOLK", ("JETTA", "PASSAT", "GOLF", "TIGUAN"), "3VW"),
    ("KIA", ("OPTIMA", "SORENTO", "SOUL", "FORTE"), "KNA"),
    ("JEEP", ("WRANGLER", "CHEROKEE", "GRAND CHEROKEE", "LIBERTY"), "1J4"),
    ("BMW", ("325I", "X5", "528I"), "WBA"),
    ("MAZD", ("MAZDA3", "CX-5", "MAZDA6"), "JM1"),
    ("GMC", ("SIERRA", "YUKON", "ACADIA"), "1GT"),
    ("TESL", ("MODEL 3", "MODEL Y"), "5YJ"),
)
_MAKE_WEIGHTS = np.array([14, 12, 13, 11, 7, 7, 5, 5, 4, 4, 4, 2, 3, 3, 1], dtype=float)
COLORS = ("BLK", "WHI", "SIL", "GRY", "BLU", "RED", "GRN", "TAN", "MAR", "GLD", "BRZ")
_COLOR_WEIGHTS = np.array([18, 20, 15, 15, 10, 9, 4, 3, 2, 2, 2], dtype=float)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


class VehicleTable:
    """Columns of vehicles, as Python lists for quick scalar access while rendering."""

    def __init__(
        self,
        plate: list[str],
        state: list[str],
        vin: list[str],
        make: list[str],
        model: list[str],
        color: list[str],
        year: list[int],
    ) -> None:
        self.plate, self.state, self.vin = plate, state, vin
        self.make, self.model, self.color, self.year = make, model, color, year


def _plate(rng: np.random.Generator, n: int, state: str) -> list[str]:
    letters = rng.integers(0, len(_LETTERS), size=(n, 3))
    digits = rng.integers(0, 10000, size=n)
    if state == "WA":  # ABC1234
        return [
            f"{_LETTERS[a]}{_LETTERS[b]}{_LETTERS[c]}{d:04d}"
            for (a, b, c), d in zip(letters.tolist(), digits.tolist(), strict=True)
        ]
    # 1ABC234: the seven-character form most western states issue
    return [
        f"{d % 9 + 1}{_LETTERS[a]}{_LETTERS[b]}{_LETTERS[c]}{d % 1000:03d}"
        for (a, b, c), d in zip(letters.tolist(), digits.tolist(), strict=True)
    ]


def make_vehicles(
    rng: np.random.Generator, n: int, home_state: str, other_states: tuple[str, ...]
) -> VehicleTable:
    """`n` vehicles, 92% plated in the home state."""
    out_of_state = rng.random(n) < 0.08
    states = [home_state] * n
    other = rng.integers(0, len(other_states), size=n).tolist()
    for i in np.flatnonzero(out_of_state).tolist():
        states[i] = other_states[other[i]]
    plates = _plate(rng, n, home_state)
    others = _plate(rng, n, "XX")
    plates = [others[i] if states[i] != home_state else p for i, p in enumerate(plates)]
    make_idx = rng.choice(len(_MAKES), size=n, p=_MAKE_WEIGHTS / _MAKE_WEIGHTS.sum()).tolist()
    model_pick = rng.integers(0, 1000, size=n).tolist()
    makes = [_MAKES[m][0] for m in make_idx]
    models = [
        _MAKES[m][1][k % len(_MAKES[m][1])] for m, k in zip(make_idx, model_pick, strict=True)
    ]
    colors_i = rng.choice(len(COLORS), size=n, p=_COLOR_WEIGHTS / _COLOR_WEIGHTS.sum())
    colors = [COLORS[c] for c in colors_i.tolist()]
    years = np.clip(2024 - rng.gamma(2.0, 4.5, size=n).astype(int), 1985, 2024).tolist()
    tails = rng.integers(0, len(_VIN_CHARS), size=(n, 14)).tolist()
    vins = []
    for m, tail in zip(make_idx, tails, strict=True):
        wmi = _MAKES[m][2]
        body = "".join(_VIN_CHARS[t] for t in tail)
        vins.append((wmi + body)[:17])
    return VehicleTable(plates, states, vins, makes, models, colors, years)
