"""The domain types. Pure data: no storage, HTTP or CLI here."""

from lexhub.model.agency import Agency, Contact, validate_ori
from lexhub.model.codec import canonical_json, record_digest, record_from_dict, record_to_dict
from lexhub.model.codes import (
    AgencyKind,
    EyeColor,
    HairColor,
    IdentifierKind,
    PhoneKind,
    Race,
    RecordType,
    Role,
    Sensitivity,
    Sex,
)
from lexhub.model.context import III_CODE, Purpose, RequestContext, UserRole
from lexhub.model.dates import PartialDate
from lexhub.model.index import MentionIndex, RecordIndex, SearchKey
from lexhub.model.offenses import OffenseCategory, offense_categories
from lexhub.model.person import Address, Identifier, Mark, Person, PersonName, Phone
from lexhub.model.record import Location, Offense, Record, Vehicle
from lexhub.model.scope import WITHHOLDABLE, Disclosure, Grant, Scope, Withholding

__all__ = [
    "III_CODE",
    "Purpose",
    "RequestContext",
    "UserRole",
    "WITHHOLDABLE",
    "Disclosure",
    "Grant",
    "OffenseCategory",
    "Scope",
    "Withholding",
    "offense_categories",
    "Address",
    "Agency",
    "AgencyKind",
    "Contact",
    "EyeColor",
    "HairColor",
    "Identifier",
    "IdentifierKind",
    "Location",
    "MentionIndex",
    "Mark",
    "Offense",
    "PartialDate",
    "Person",
    "PersonName",
    "Phone",
    "PhoneKind",
    "Race",
    "Record",
    "RecordIndex",
    "RecordType",
    "Role",
    "SearchKey",
    "Sensitivity",
    "Sex",
    "Vehicle",
    "canonical_json",
    "record_digest",
    "record_from_dict",
    "record_to_dict",
    "validate_ori",
]
