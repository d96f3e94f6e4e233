"""lexhub's record form as Pydantic models: validation of every format, and the JSON Schema.

All three readers build the plain dict form of `model.codec.record_to_dict` and validate it
here, so a rule is written once and a CSV row, an XML element and a JSON line are held to
the same standard. Unknown keys are errors (a misspelled field must not vanish silently).
Values are checked but NOT normalized: normalization is the loader's job.

`docs/record.schema.json` is generated from these models (`record_json_schema`); a test
checks the committed file equals the generated one.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from lexhub.errors import InputError
from lexhub.model import (
    EyeColor,
    HairColor,
    IdentifierKind,
    PartialDate,
    PhoneKind,
    Race,
    Record,
    RecordType,
    Role,
    Sensitivity,
    Sex,
    record_from_dict,
    validate_ori,
)

__all__ = ["HEIGHT_IN", "WEIGHT_LB", "RecordIn", "RecordValidator", "field_path", "quote"]

HEIGHT_IN = (12, 108)  # inches; a newborn to the tallest recorded person
WEIGHT_LB = (1, 999)  # pounds; NCIC weight is three digits
Loc = tuple[str | int, ...]
Locate = Callable[[Loc], tuple[int | str | None, str]]  # error loc -> (line, field label)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DOB = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_NIBRS = re.compile(r"[0-9]{2}[0-9A-Z]")


def quote(value: object) -> str:
    """A value as an error message shows it: JSON, so strings get quotes and escapes."""
    return json.dumps(value, ensure_ascii=False)


def _fail(reason: str) -> PydanticCustomError:
    return PydanticCustomError("lexhub", "{reason}", {"reason": reason})


def _today(info: ValidationInfo) -> date:
    ctx = info.context or {}
    today = ctx.get("today")
    return today if isinstance(today, date) else date.today()


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _fail("must not be blank")
    return value


def _ori(value: str) -> str:
    try:
        return validate_ori(value)
    except ValueError as e:
        raise _fail(str(e)) from None


def _full_date(value: str, info: ValidationInfo) -> str:
    """Occurred/reported: a full ISO date, not more than a day in the future."""
    if not _ISO_DATE.fullmatch(value):
        raise _fail(f"{quote(value)} is not a date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{quote(value)} is not a date") from None
    if day.year < 1900:
        raise _fail(f"{quote(value)} is before 1900")
    if day > _today(info) + timedelta(days=1):
        raise _fail(f"{quote(value)} is in the future")
    return value


def _partial_date(value: str, info: ValidationInfo) -> str:
    """Dates of birth: YYYY, YYYY-MM or YYYY-MM-DD; impossible days are errors."""
    if not _DOB.fullmatch(value):
        raise _fail(f"{quote(value)} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in value.split("-")]
    try:
        PartialDate(*parts)
    except ValueError as e:
        detail = f" ({e})" if "year" in str(e) else ""
        raise _fail(f"{quote(value)} is not a date{detail}") from None
    today = _today(info)
    if tuple(parts) + (1,) * (3 - len(parts)) > (today.year, today.month, today.day):
        raise _fail(f"{quote(value)} is in the future")
    return value


def _nibrs(value: str) -> str:
    if not _NIBRS.fullmatch(value):
        raise _fail(
            f"{quote(value)} is not a NIBRS offense code (3 characters, e.g. 13A, 220, 90Z)"
        )
    return value


def _in_range(low: int, high: int, unit: str) -> Callable[[int], int]:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise _fail(f"{value} is out of range ({low}-{high} {unit})")
        return value

    return check


def _vehicle_year(value: int, info: ValidationInfo) -> int:
    high = _today(info).year + 2
    if not 1900 <= value <= high:
        raise _fail(f"{value} is out of range (1900-{high})")
    return value


def _text_name(value: Any) -> Any:
    """A name given as one string ("LAST, FIRST MIDDLE" or "First Middle Last") is split."""
    if not isinstance(value, str):
        return value
    from lexhub.normalize.names import parse_name

    try:
        n = parse_name(value)
    except ValueError:
        raise _fail(f"{quote(value)} holds no name") from None
    return {k: v for k, v in vars(n).items() if v is not None}


Text = str  # optional text may be empty: the codec keeps "" and so must a round trip
Required = Annotated[str, StringConstraints(min_length=1), AfterValidator(_not_blank)]
FullDate = Annotated[str, AfterValidator(_full_date), Field(json_schema_extra={"format": "date"})]
DobText = Annotated[
    str,
    AfterValidator(_partial_date),
    Field(json_schema_extra={"pattern": f"^{_DOB.pattern}$"}),
]


def _name_schema(schema: dict[str, Any]) -> None:
    """In the published schema a name is an object or a single string."""

    def widen(node: Any) -> None:
        if isinstance(node, list):
            for x in node:
                widen(x)
        elif isinstance(node, dict):
            if node.get("$ref", "").endswith("/NameIn"):
                ref = node.pop("$ref")
                node["anyOf"] = [
                    {"$ref": ref},
                    {"type": "string", "minLength": 1, "description": '"LAST, FIRST MIDDLE"'},
                ]
                return
            for x in node.values():
                widen(x)

    person = schema["$defs"]["PersonIn"]["properties"]
    widen([person["name"], person["aliases"]])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NameIn(_In):
    """Name parts as written; the surname is required."""

    last: Required
    first: Text | None = None
    middle: Text | None = None
    suffix: Text | None = None


NameField = Annotated[NameIn, BeforeValidator(_text_name)]


class PhoneIn(_In):
    number: Required
    kind: PhoneKind | None = None
    e164: Text | None = None
    extension: Text | None = None


class AddressIn(_In):
    text: Required
    components: list[tuple[str, str]] | None = None
    key: Text | None = None
    kind: Literal["street", "po-box", "intersection", "unparsed"] | None = None


class MarkIn(_In):
    """A scar, mark or tattoo: an NCIC SMT code, free text, or both."""

    code: Text | None = None
    description: Text | None = None
    type: Text | None = None
    side: Text | None = None
    part: Text | None = None


class IdentifierIn(_In):
    kind: IdentifierKind
    value: Required
    issuer: Text | None = None


class PersonIn(_In):
    ref: Required
    role: Role
    name: NameField
    aliases: list[NameField] | None = None
    monikers: list[Text] | None = None
    dob: DobText | None = None
    sex: Sex | None = None
    race: Race | None = None
    height_in: Annotated[int, AfterValidator(_in_range(*HEIGHT_IN, "inches"))] | None = None
    weight_lb: Annotated[int, AfterValidator(_in_range(*WEIGHT_LB, "pounds"))] | None = None
    eye: EyeColor | None = None
    hair: HairColor | None = None
    marks: list[MarkIn] | None = None
    phones: list[PhoneIn] | None = None
    addresses: list[AddressIn] | None = None
    identifiers: list[IdentifierIn] | None = None


class OffenseIn(_In):
    code: Annotated[str, AfterValidator(_nibrs)]
    description: Text | None = None


class LocationIn(_In):
    role: Required
    address: AddressIn


class VehicleIn(_In):
    plate: Text | None = None
    plate_state: Text | None = None
    vin: Text | None = None
    make: Text | None = None
    model: Text | None = None
    color: Text | None = None
    year: Annotated[int, AfterValidator(_vehicle_year)] | None = None
    plate_key: Text | None = None


class RecordIn(_In):
    """One contributed record in lexhub's own form (one line of a JSON Lines batch)."""

    model_config = ConfigDict(title="lexhub record")

    owner: Annotated[str, AfterValidator(_ori)]
    source_id: Required
    type: RecordType
    occurred: FullDate | None = None
    reported: FullDate | None = None
    offenses: list[OffenseIn] | None = None
    sensitivity: Sensitivity | None = None
    narrative: Text | None = None
    persons: list[PersonIn] | None = None
    locations: list[LocationIn] | None = None
    vehicles: list[VehicleIn] | None = None
    phones: list[PhoneIn] | None = None


def field_path(loc: Loc) -> str:
    """`("persons", 0, "dob")` -> `persons[0].dob`: the path a records clerk reads."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _known_fields(loc: Loc) -> list[str]:
    model: type[BaseModel] = RecordIn
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return []
        inner = _model_in(info.annotation)
        if inner is None:
            return []
        model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin is not None and origin is not annotation else None


def _reason(err: Any) -> str:
    """A Pydantic error as a sentence for a records clerk."""
    kind, value, loc = err["type"], err.get("input"), err["loc"]
    if kind == "lexhub":
        return str(err["msg"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _known_fields(loc), n=1)
        return "unknown field" + (f' (did you mean "{close[0]}"?)' if close else "")
    if kind in ("enum", "literal_error"):
        return f"{quote(value)} is not one of {err['ctx']['expected']}"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{quote(value)} is not a whole number"
    if kind == "string_type":
        return f"{quote(value)} is not text"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{quote(value)} is not an object"
    if kind in ("list_type", "tuple_type"):
        return f"{quote(value)} is not a list"
    return str(err["msg"])


class RecordValidator:
    """Checks dicts in the record form and turns them into `Record`s.

    `owner`, when given, is the batch owner every record must have. `today` bounds dates
    (injectable so tests are stable). The caller's `locate` turns an error location into
    (line, field label): a JSON path for JSON Lines, a column for CSV, an element for XML.
    """

    def __init__(self, file: str, *, owner: str | None = None, today: date | None = None):
        self.file = file
        self.owner = owner
        self.context = {"today": today or date.today()}

    def check(self, data: Any, locate: Locate) -> tuple[Record | None, tuple[InputError, ...]]:
        def error(loc: Loc, reason: str) -> InputError:
            line, label = locate(loc)
            return InputError(self.file, line, label, reason)

        try:
            model = RecordIn.model_validate(data, context=self.context)
        except ValidationError as e:
            errs = e.errors(include_url=False)
            return None, tuple(error(tuple(err["loc"]), _reason(err)) for err in errs)
        problems: list[InputError] = []
        if self.owner is not None and model.owner != self.owner:
            problems.append(
                error(
                    ("owner",), f"{quote(model.owner)} is not the batch owner {quote(self.owner)}"
                )
            )
        first_at: dict[str, int] = {}
        for i, person in enumerate(model.persons or ()):
            if person.ref in first_at:
                why = f"{quote(person.ref)} is already used by persons[{first_at[person.ref]}]"
                problems.append(error(("persons", i, "ref"), why))
            first_at.setdefault(person.ref, i)
        if problems:
            return None, tuple(problems)
        return record_from_dict(model.model_dump(mode="json", exclude_none=True)), ()


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of one JSON Lines record, as published in docs/record.schema.json."""
    schema = RecordIn.model_json_schema()
    _name_schema(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://lexhub.example.org/schema/record.schema.json",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n"
