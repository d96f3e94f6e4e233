"""Fixed vocabularies: record types, roles, sensitivities and NCIC descriptor codes.

Values are the strings that appear in files, the database and the API; they never change
meaning once published. Sources: NCIC code manual (race, sex, eye, hair), NIBRS.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AgencyKind",
    "EyeColor",
    "HairColor",
    "IdentifierKind",
    "PhoneKind",
    "Race",
    "RecordType",
    "Role",
    "Sensitivity",
    "Sex",
]


class RecordType(StrEnum):
    INCIDENT = "incident"
    ARREST = "arrest"
    BOOKING = "booking"
    FIELD_INTERVIEW = "field-interview"
    CITATION = "citation"
    WARRANT = "warrant"


class Sensitivity(StrEnum):
    """Ordered: standard < sensitive < restricted. Compare with `rank`, never with `<` on str."""

    STANDARD = "standard"
    SENSITIVE = "sensitive"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return _SENSITIVITY_RANK[self]


_SENSITIVITY_RANK = {Sensitivity.STANDARD: 0, Sensitivity.SENSITIVE: 1, Sensitivity.RESTRICTED: 2}


class Role(StrEnum):
    """The part a person plays in a record."""

    SUSPECT = "suspect"
    ARRESTEE = "arrestee"
    VICTIM = "victim"
    WITNESS = "witness"
    SUBJECT = "subject"
    REPORTING_PARTY = "reporting-party"
    DRIVER = "driver"
    OWNER = "owner"
    ASSOCIATE = "associate"


class AgencyKind(StrEnum):
    POLICE = "police"
    SHERIFF = "sheriff"
    STATE_POLICE = "state-police"
    PROSECUTOR = "prosecutor"
    CORRECTIONS = "corrections"
    PROBATION = "probation"
    COURT = "court"
    FEDERAL = "federal"
    OTHER = "other"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


class Race(StrEnum):
    ASIAN = "A"
    BLACK = "B"
    HISPANIC = "H"
    AMERICAN_INDIAN = "I"
    PACIFIC_ISLANDER = "P"
    UNKNOWN = "U"
    WHITE = "W"


class EyeColor(StrEnum):
    BLACK = "BLK"
    BLUE = "BLU"
    BROWN = "BRO"
    GRAY = "GRY"
    GREEN = "GRN"
    HAZEL = "HAZ"
    MAROON = "MAR"
    MULTICOLORED = "MUL"
    PINK = "PNK"
    UNKNOWN = "XXX"


class HairColor(StrEnum):
    BLACK = "BLK"
    BLOND = "BLN"
    BLUE = "BLU"
    BROWN = "BRO"
    GREEN = "GRN"
    GRAY = "GRY"
    ORANGE = "ONG"
    PURPLE = "PLE"
    PINK = "PNK"
    RED = "RED"
    SANDY = "SDY"
    WHITE = "WHI"
    UNKNOWN = "XXX"


class IdentifierKind(StrEnum):
    STATE_ID = "state-id"
    DRIVERS_LICENSE = "drivers-license"
    FBI_NUMBER = "fbi-number"
    BOOKING_NUMBER = "booking-number"
    OTHER = "other"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    HOME = "home"
    WORK = "work"
    UNKNOWN = "unknown"
