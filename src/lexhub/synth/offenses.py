"""NIBRS offense codes by record type, with the wording agencies put beside them."""

from __future__ import annotations

from lexhub.model import RecordType

__all__ = ["DESCRIPTIONS", "OFFENSES", "RESTRICTED", "VIOLENT", "VEHICLE"]

DESCRIPTIONS = {
    "09A": "MURDER",
    "11A": "RAPE",
    "11D": "FONDLING",
    "120": "ROBBERY",
    "13A": "AGGRAVATED ASSAULT",
    "13B": "SIMPLE ASSAULT",
    "13C": "INTIMIDATION",
    "200": "ARSON",
    "220": "BURGLARY/BREAKING AND ENTERING",
    "23A": "POCKET-PICKING",
    "23C": "SHOPLIFTING",
    "23D": "THEFT FROM BUILDING",
    "23F": "THEFT FROM MOTOR VEHICLE",
    "23G": "THEFT OF MOTOR VEHICLE PARTS",
    "23H": "ALL OTHER LARCENY",
    "240": "MOTOR VEHICLE THEFT",
    "250": "COUNTERFEITING/FORGERY",
    "26A": "FALSE PRETENSES",
    "26B": "CREDIT CARD/ATM FRAUD",
    "26F": "IDENTITY THEFT",
    "280": "STOLEN PROPERTY OFFENSES",
    "290": "DESTRUCTION/DAMAGE/VANDALISM",
    "35A": "DRUG/NARCOTIC VIOLATIONS",
    "35B": "DRUG EQUIPMENT VIOLATIONS",
    "36A": "INCEST",
    "520": "WEAPON LAW VIOLATIONS",
    "90C": "DISORDERLY CONDUCT",
    "90D": "DRIVING UNDER THE INFLUENCE",
    "90E": "DRUNKENNESS",
    "90F": "FAMILY OFFENSES, NONVIOLENT",
    "90J": "TRESPASS OF REAL PROPERTY",
    "90Z": "ALL OTHER OFFENSES",
}
# Codes whose victims' records are restricted (sexual offenses).
RESTRICTED = frozenset({"11A", "11D", "36A"})
VIOLENT = frozenset({"09A", "11A", "11D", "120", "13A", "13B", "13C"})
VEHICLE = frozenset({"23F", "23G", "240", "90D"})

# (code, weight) per record type
OFFENSES: dict[RecordType, tuple[tuple[str, float], ...]] = {
    RecordType.INCIDENT: (
        ("23H", 14),
        ("13B", 12),
        ("290", 10),
        ("220", 9),
        ("23F", 8),
        ("23C", 6),
        ("240", 6),
        ("13C", 4),
        ("13A", 4),
        ("26A", 3),
        ("26B", 2),
        ("26F", 2),
        ("23D", 3),
        ("35A", 4),
        ("120", 2),
        ("90J", 3),
        ("90Z", 4),
        ("520", 1.5),
        ("11D", 0.8),
        ("11A", 0.6),
        ("250", 1),
        ("280", 1),
        ("200", 0.4),
        ("23A", 0.5),
        ("23G", 1),
        ("09A", 0.1),
        ("90F", 0.5),
        ("36A", 0.05),
    ),
    RecordType.ARREST: (
        ("13B", 16),
        ("35A", 12),
        ("90D", 12),
        ("23C", 8),
        ("90Z", 14),
        ("13A", 6),
        ("220", 5),
        ("520", 4),
        ("90J", 4),
        ("90C", 4),
        ("240", 3),
        ("280", 3),
        ("26A", 2),
        ("120", 2),
        ("90E", 1),
        ("13C", 2),
        ("11A", 0.4),
        ("11D", 0.4),
        ("35B", 2),
    ),
    RecordType.CITATION: (("90Z", 70), ("90D", 18), ("35A", 3), ("90J", 4), ("23C", 5)),
    RecordType.WARRANT: (
        ("90Z", 55),
        ("13B", 10),
        ("35A", 10),
        ("23H", 8),
        ("90D", 8),
        ("220", 5),
        ("13A", 4),
    ),
    RecordType.FIELD_INTERVIEW: (),
}
OFFENSES[RecordType.BOOKING] = OFFENSES[RecordType.ARREST]

# Wording for 90Z ("all other") by record type: what the charge really was.
OTHER_WORDING = {
    RecordType.CITATION: (
        "DWLS 3RD DEGREE",
        "NO VALID OPERATOR LICENSE",
        "RECKLESS DRIVING",
        "HIT AND RUN ATTENDED",
        "NO INSURANCE",
        "DWLS 2ND DEGREE",
    ),
    RecordType.WARRANT: (
        "FAILURE TO APPEAR",
        "PROBATION VIOLATION",
        "FTA - DWLS 3",
        "BENCH WARRANT",
        "FAILURE TO COMPLY",
    ),
    RecordType.ARREST: (
        "VIOLATION OF NO CONTACT ORDER",
        "OBSTRUCTING",
        "RESISTING ARREST",
        "WARRANT ARREST",
        "FAILURE TO APPEAR",
    ),
}
OTHER_WORDING[RecordType.BOOKING] = OTHER_WORDING[RecordType.ARREST]
