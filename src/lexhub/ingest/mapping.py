"""CSV mapping files: which column holds which field, date formats, code translations.

An RMS export is a flat table; the YAML mapping says how to read it (docs/formats.md):

    owner: WA0170000
    record:
      source_id: Case Number            # a bare string is a column name
      type: {column: Report Type, codes: {Incident: incident, Arrest: arrest}}
      occurred: {column: Occurred Date, format: "%m/%d/%Y"}
    person:
      role: {value: subject}            # a constant instead of a column
      last: LName
      dob: {column: DOB, format: ["%m/%d/%Y", "%m/%Y", "%Y"]}
      sex: {column: Sex, codes: {Male: M, Female: F}}

Every mistake in a mapping (bad YAML, unknown section or field, a column the CSV does not
have) is an InputError naming the MAPPING file and its line, so the person who wrote the
mapping can fix it; the YAML is composed node by node to keep those lines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from lexhub.errors import InputError
from lexhub.model import validate_ori

__all__ = ["DATE_FIELDS", "FIELDS", "CsvMapping", "FieldSpec", "load_mapping", "parse_mapping"]

# section -> the fields it may map
FIELDS: dict[str, tuple[str, ...]] = {
    "record": tuple("source_id type occurred reported offenses sensitivity narrative".split()),
    "person": tuple(
        (
            "ref role name last first middle suffix aliases monikers dob sex race height_in "
            "weight_lb eye hair marks phones addresses state_id state_id_issuer "
            "drivers_license drivers_license_issuer fbi_number booking_number"
        ).split()
    ),
    "vehicle": tuple("plate plate_state vin make model color year".split()),
    "location": ("role", "address"),
    "phone": ("number", "kind"),
}
DATE_FIELDS = {"record.occurred", "record.reported", "person.dob"}
LIST_FIELDS = {
    "record.offenses",
    "person.aliases",
    "person.monikers",
    "person.marks",
    "person.phones",
    "person.addresses",
}
_SPEC_KEYS = ("column", "value", "format", "codes", "separator")
_TOP_KEYS = ("owner", "delimiter", *FIELDS)


@dataclass(frozen=True)
class FieldSpec:
    """How one field is read: from `column` or the constant `value`, then translated."""

    field: str  # "person.dob"
    line: int  # where the mapping file says so (1-based)
    column: str | None = None
    value: str | None = None
    formats: tuple[str, ...] = ()
    codes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    separator: str | None = None

    def translate(self, text: str) -> str:
        """Apply `codes`: exact match first, then case-insensitive; unknown values pass
        through unchanged (validation then names them with the allowed values)."""
        if not self.codes:
            return text
        hit = self.codes.get(text)
        if hit is None:
            hit = self.codes.get(text.casefold())
        return text if hit is None else hit


@dataclass(frozen=True)
class CsvMapping:
    file: str
    owner: str
    delimiter: str
    sections: Mapping[str, Mapping[str, FieldSpec]]

    def spec(self, section: str, name: str) -> FieldSpec | None:
        return self.sections.get(section, {}).get(name)

    def check_header(self, header: Sequence[str], csv_name: str) -> None:
        """Raise InputError (mapping file, line) for the first mapped column not in `header`."""
        present = set(header)
        for fields in self.sections.values():
            for spec in fields.values():
                if spec.column is not None and spec.column not in present:
                    raise InputError(
                        self.file,
                        spec.line,
                        spec.field,
                        f'column "{spec.column}" is not in {csv_name} '
                        f"(its columns: {', '.join(header)})",
                    )


def load_mapping(path: Path) -> CsvMapping:
    """Read and check a mapping file. Raises InputError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(path.name, None, None, f"cannot be read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path.name, None, None, "is not UTF-8 text") from None
    return parse_mapping(text, path.name)


def parse_mapping(text: str, name: str) -> CsvMapping:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(name, line, None, f"is not valid YAML: {problem}") from None
    if not isinstance(root, yaml.MappingNode):
        raise InputError(name, None, None, "must be a YAML mapping (owner:, record:, person: ...)")
    top = _pairs(root, name, "", _TOP_KEYS)
    if "owner" not in top:
        raise InputError(name, 1, "owner", "is required (the ORI of the agency the file is from)")
    owner = _scalar(top["owner"], name, "owner")
    try:
        validate_ori(owner)
    except ValueError as e:
        raise InputError(name, _line(top["owner"]), "owner", str(e)) from None
    delimiter = _scalar(top["delimiter"], name, "delimiter") if "delimiter" in top else ","
    if len(delimiter) != 1:
        raise InputError(name, _line(top["delimiter"]), "delimiter", "must be one character")
    sections: dict[str, dict[str, FieldSpec]] = {}
    for section, allowed in FIELDS.items():
        if section not in top:
            continue
        node = top[section]
        if not isinstance(node, yaml.MappingNode):
            raise InputError(name, _line(node), section, "must map fields to columns")
        pairs = _pairs(node, name, section + ".", allowed)
        sections[section] = {k: _spec(v, name, f"{section}.{k}") for k, v in pairs.items()}
    _check_required(sections, name, _line(root))
    return CsvMapping(name, owner, delimiter, sections)


def _check_required(sections: dict[str, dict[str, FieldSpec]], name: str, line: int) -> None:
    record = sections.get("record", {})
    for needed in ("source_id", "type"):
        if needed not in record:
            raise InputError(name, line, f"record.{needed}", "is required")
    person = sections.get("person")
    if person is not None:
        where = min(s.line for s in person.values())
        if "role" not in person:
            raise InputError(name, where, "person.role", "is required (a column or {value: ...})")
        if "name" not in person and "last" not in person:
            raise InputError(name, where, "person.last", "is required (or person.name)")
    for section, needed in (("location", "address"), ("location", "role"), ("phone", "number")):
        fields = sections.get(section)
        if fields is not None and needed not in fields:
            where = min(s.line for s in fields.values())
            raise InputError(name, where, f"{section}.{needed}", "is required in this section")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _pairs(
    node: yaml.MappingNode, name: str, prefix: str, allowed: Sequence[str]
) -> dict[str, yaml.Node]:
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
        if key not in allowed:
            raise InputError(
                name,
                _line(key_node),
                f"{prefix}{key}",
                f"unknown {'field' if prefix else 'section'} (one of {', '.join(allowed)})",
            )
        if key in out:
            raise InputError(name, _line(key_node), f"{prefix}{key}", "is given twice")
        out[key] = value_node
    return out


def _scalar(node: yaml.Node, name: str, where: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.value == "":
        raise InputError(name, _line(node), where, "must be a single value")
    return str(node.value)


def _spec(node: yaml.Node, name: str, where: str) -> FieldSpec:
    line = _line(node)
    if isinstance(node, yaml.ScalarNode):
        spec = FieldSpec(where, line, column=_scalar(node, name, where))
    else:
        if not isinstance(node, yaml.MappingNode):
            raise InputError(name, line, where, "must be a column name or {column: ...}")
        keys = _pairs(node, name, where + ".", _SPEC_KEYS)
        if ("column" in keys) == ("value" in keys):
            raise InputError(name, line, where, "needs exactly one of column: or value:")
        formats: tuple[str, ...] = ()
        if "format" in keys:
            fmt = keys["format"]
            if isinstance(fmt, yaml.SequenceNode):
                formats = tuple(_scalar(n, name, where + ".format") for n in fmt.value)
            else:
                formats = (_scalar(fmt, name, where + ".format"),)
        codes: dict[str, str] = {}
        if "codes" in keys:
            codes_node = keys["codes"]
            if not isinstance(codes_node, yaml.MappingNode):
                raise InputError(name, _line(codes_node), where + ".codes", "must be a mapping")
            for k, v in codes_node.value:
                word = _scalar(k, name, where + ".codes")
                code = _scalar(v, name, f"{where}.codes.{word}")
                codes[word] = code
                codes.setdefault(word.casefold(), code)
        spec = FieldSpec(
            where,
            line,
            column=_scalar(keys["column"], name, where) if "column" in keys else None,
            value=_scalar(keys["value"], name, where) if "value" in keys else None,
            formats=formats,
            codes=codes,
            separator=_scalar(keys["separator"], name, where) if "separator" in keys else None,
        )
    if spec.formats and where not in DATE_FIELDS:
        raise InputError(name, line, where, "format: applies to date fields only")
    if spec.separator and where not in LIST_FIELDS:
        raise InputError(name, line, where, "separator: applies to list fields only")
    return spec
