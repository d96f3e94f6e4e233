"""USPS Publication 28 abbreviations used in address keys.

Only what makes two spellings of one address compare equal: street suffixes, directionals,
unit designators and the commonest words inside street names. Every token of an address
line passes through `ABBREVIATIONS`, whatever label usaddress gave it, so a mislabelled
token ("north" as a street name in one text, a directional in another) still agrees.
"""

from __future__ import annotations

__all__ = [
    "ABBREVIATIONS",
    "DIRECTIONALS",
    "DIRECTIONAL_ABBREVIATIONS",
    "PLACE_LABELS",
    "STREET_TYPES",
    "UNIT_DESIGNATORS",
    "UNIT_WORD",
]

# fmt: off
_SUFFIXES = {
    "ALLEY": "ALY", "ALLY": "ALY", "ANNEX": "ANX", "ARCADE": "ARC", "AVENUE": "AVE", "AV": "AVE",
    "AVEN": "AVE", "AVENU": "AVE", "AVN": "AVE", "BAYOU": "BYU", "BEACH": "BCH", "BEND": "BND",
    "BLUFF": "BLF", "BOULEVARD": "BLVD", "BOUL": "BLVD", "BOULV": "BLVD", "BRANCH": "BR",
    "BRIDGE": "BRG", "BROOK": "BRK", "BYPASS": "BYP", "CANYON": "CYN", "CAUSEWAY": "CSWY",
    "CENTER": "CTR", "CENTRE": "CTR", "CIRCLE": "CIR", "CIRC": "CIR", "CLIFF": "CLF",
    "COMMON": "CMN", "CORNER": "COR", "COURSE": "CRSE", "COURT": "CT", "COVE": "CV",
    "CREEK": "CRK", "CRESCENT": "CRES", "CROSSING": "XING", "DRIVE": "DR", "DRV": "DR",
    "ESTATE": "EST", "ESTATES": "ESTS", "EXPRESSWAY": "EXPY", "EXTENSION": "EXT",
    "FREEWAY": "FWY", "GARDEN": "GDN", "GARDENS": "GDNS", "GATEWAY": "GTWY", "GLEN": "GLN",
    "GREEN": "GRN", "GROVE": "GRV", "HARBOR": "HBR", "HEIGHTS": "HTS", "HIGHWAY": "HWY",
    "HIGHWY": "HWY", "HIWAY": "HWY", "HILL": "HL", "HILLS": "HLS", "HOLLOW": "HOLW",
    "ISLAND": "IS", "JUNCTION": "JCT", "KNOLL": "KNL", "LAKE": "LK", "LANDING": "LNDG",
    "LANE": "LN", "LOOP": "LOOP", "MANOR": "MNR", "MEADOW": "MDW", "MEADOWS": "MDWS",
    "MOTORWAY": "MTWY", "MOUNT": "MT", "MOUNTAIN": "MTN", "ORCHARD": "ORCH", "PARKWAY": "PKWY",
    "PARKWY": "PKWY", "PKY": "PKWY", "PASSAGE": "PSGE", "PIKE": "PIKE", "PLACE": "PL",
    "PLAZA": "PLZ", "POINT": "PT", "PORT": "PRT", "PRAIRIE": "PR", "RANCH": "RNCH",
    "RIDGE": "RDG", "RIVER": "RIV", "ROAD": "RD", "ROUTE": "RTE", "SHORE": "SHR",
    "SPRING": "SPG", "SPRINGS": "SPGS", "SQUARE": "SQ", "STATION": "STA", "STREET": "ST",
    "STR": "ST", "STRT": "ST", "SUMMIT": "SMT", "TERRACE": "TER", "TERR": "TER",
    "TRACE": "TRCE", "TRAIL": "TRL", "TRAILS": "TRL", "TURNPIKE": "TPKE", "VALLEY": "VLY",
    "VIEW": "VW", "VILLAGE": "VLG", "VISTA": "VIS", "WALK": "WALK", "WAY": "WAY", "WY": "WAY",
}
_DIRECTIONALS = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE",
    "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}
_NAME_WORDS = {
    "SAINT": "ST", "FORT": "FT", "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD",
    "FOURTH": "4TH", "FIFTH": "5TH", "SIXTH": "6TH", "SEVENTH": "7TH", "EIGHTH": "8TH",
    "NINTH": "9TH", "TENTH": "10TH", "ELEVENTH": "11TH", "TWELFTH": "12TH",
}
# fmt: on
UNIT_WORD = "UNIT"
# Every occupancy designator becomes UNIT: records disagree on "Apt", "#", "Unit", "Ste".
UNIT_DESIGNATORS = frozenset(
    "APT APARTMENT UNIT # NUM NUMBER STE SUITE RM ROOM LOT SPC SPACE TRLR TRAILER".split()
)
_SUBADDRESS = {"BUILDING": "BLDG", "BLD": "BLDG", "FLOOR": "FL", "FLR": "FL", "DEPT": "DEPT"}

ABBREVIATIONS: dict[str, str] = {**_SUFFIXES, **_NAME_WORDS, **_SUBADDRESS, **_DIRECTIONALS}

# usaddress labels that are not part of the address line (the key leaves them out).
PLACE_LABELS = frozenset(
    {"PlaceName", "StateName", "ZipCode", "CountryName", "Recipient", "NotAddress"}
)

# Every spelling of a street type and of a directional, long and abbreviated.
STREET_TYPES = frozenset(_SUFFIXES) | frozenset(_SUFFIXES.values())
DIRECTIONALS = frozenset(_DIRECTIONALS) | frozenset(_DIRECTIONALS.values())
DIRECTIONAL_ABBREVIATIONS: dict[str, str] = dict(_DIRECTIONALS)
