"""CSV exports read through a YAML mapping (`ingest.mapping`), as RMS systems write them.

One row per person mention: rows that share the record-number column (`record.source_id`)
form one record, and those rows MUST be adjacent, as every RMS export we know writes them.
Grouping adjacent rows keeps memory flat however large the file; a record number that comes
back after other records is an error naming both lines. Record-level columns are read from
the record's first row where they are filled; a later row that disagrees is an error.
Each row may also carry one vehicle, one location and one record phone; identical ones
repeated on several rows of a record are kept once. Cells are trimmed; empty means absent.
Errors name the row's line and the COLUMN, e.g. `batch.csv:1042: DOB: "02/30/1987" is not
a date`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from lexhub.errors import InputError
from lexhub.ingest.formats import ReadItem
from lexhub.ingest.mapping import DATE_FIELDS, LIST_FIELDS, CsvMapping, FieldSpec
from lexhub.ingest.readers.text import text_lines
from lexhub.ingest.schema import Loc, RecordValidator, field_path, quote

__all__ = ["read_csv"]

Row = tuple[int, list[str]]  # (line where the row starts, cells)
_IDS = {
    "state_id": ("state-id", "state_id_issuer"),
    "drivers_license": ("drivers-license", "drivers_license_issuer"),
    "fbi_number": ("fbi-number", None),
    "booking_number": ("booking-number", None),
}
_ISSUERS = {"state_id_issuer", "drivers_license_issuer"}
_HUMAN = {"%m": "MM", "%d": "DD", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%B": "Month"}


class _CellError(ValueError):
    pass


def read_csv(
    path: Path, name: str, mapping: CsvMapping, validator: RecordValidator, limit: int
) -> Iterator[ReadItem]:
    csv.field_size_limit(max(limit, 1 << 17))
    reader = csv.reader(
        (text for _, text in text_lines(path, name, "CSV", limit)),
        delimiter=mapping.delimiter,
        strict=True,
    )
    builder: _Builder | None = None
    seen: dict[str, int] = {}
    count = 0
    group: list[Row] = []
    key: str | None = None
    try:
        last = 0
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not cells or not any(c.strip() for c in cells):
                continue
            if builder is None:
                mapping.check_header(cells, name)
                builder = _Builder(name, mapping, cells, validator)
                continue
            if len(cells) > builder.width:
                why = f"row has {len(cells)} cells, the header {builder.width}"
                yield ReadItem(start, None, (InputError(name, start, None, why),), None)
                continue
            row_key = builder.cell(builder.source, cells)
            if row_key is None or row_key != key:
                if group:
                    yield builder.build(group)
                group, key = [], row_key
                if row_key is not None:
                    if row_key in seen:
                        yield builder.split_record(start, row_key, seen[row_key])
                        key = None
                        continue
                    seen[row_key] = start
            group.append((start, cells))
            count += 1
        if builder is not None and group:
            yield builder.build(group)
    except csv.Error as e:
        raise InputError(name, reader.line_num, None, f"is not valid CSV: {e}") from None
    if builder is None:
        raise InputError(name, None, None, "the file is empty (no header row)")
    if count == 0:
        raise InputError(name, None, None, "has a header but no rows")


def parse_date(text: str, formats: tuple[str, ...], partial: bool) -> str:
    """A cell in one of `formats` (strptime) as ISO; a format without %d (and %m) gives a
    partial date (YYYY-MM, YYYY) where `partial` allows it. Raises _CellError."""
    impossible = False
    for fmt in formats:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError as e:
            impossible = impossible or "out of range" in str(e)
            continue
        if partial and "%d" not in fmt:
            has_month = "%m" in fmt or "%b" in fmt or "%B" in fmt
            return f"{parsed.year:04d}-{parsed.month:02d}" if has_month else f"{parsed.year:04d}"
        return parsed.date().isoformat()
    if impossible:
        raise _CellError(f"{quote(text)} is not a date")
    shapes = " or ".join(_human(f) for f in formats)
    raise _CellError(f"{quote(text)} is not a date ({shapes})")


def _human(fmt: str) -> str:
    for directive, word in _HUMAN.items():
        fmt = fmt.replace(directive, word)
    return fmt


class _Builder:
    """Turns a group of rows into the record dict, remembering which line and column each
    field came from so validation errors can name them."""

    def __init__(
        self, name: str, mapping: CsvMapping, header: list[str], validator: RecordValidator
    ) -> None:
        self.name = name
        self.mapping = mapping
        self.validator = validator
        self.width = len(header)
        self.index: dict[str, int] = {}
        for i, col in enumerate(header):
            self.index.setdefault(col, i)
        source = mapping.spec("record", "source_id")
        assert source is not None  # parse_mapping requires it
        self.source = source

    def cell(self, spec: FieldSpec, cells: list[str]) -> str | None:
        if spec.value is not None:
            return spec.value
        assert spec.column is not None
        i = self.index[spec.column]
        text = cells[i].strip() if i < len(cells) else ""
        return text or None

    def label(self, spec: FieldSpec) -> str:
        return spec.column if spec.column is not None else f"{spec.field} (mapping)"

    def convert(self, spec: FieldSpec, text: str) -> Any:
        if spec.field in LIST_FIELDS:
            parts = (p.strip() for p in text.split(spec.separator or ";"))
            return [spec.translate(p) for p in parts if p]
        if spec.field in DATE_FIELDS:
            formats = spec.formats or ("%Y-%m-%d",)
            return parse_date(text, formats, partial=spec.field == "person.dob")
        return spec.translate(text)

    def split_record(self, line: int, key: str, first: int) -> ReadItem:
        why = (
            f"{quote(key)} was a record number at line {first} already; the rows of one "
            "record must be adjacent"
        )
        err = InputError(self.name, line, self.label(self.source), why)
        return ReadItem(line, None, (err,), key)

    def build(self, rows: list[Row]) -> ReadItem:
        first = rows[0][0]
        errors: list[InputError] = []
        where: dict[Loc, tuple[int, str]] = {("owner",): (first, "owner (mapping)")}
        data: dict[str, Any] = {"owner": self.mapping.owner}

        def take(spec: FieldSpec, line: int, text: str | None) -> Any:
            if text is None:
                return None
            try:
                return self.convert(spec, text)
            except _CellError as e:
                errors.append(InputError(self.name, line, self.label(spec), str(e)))
                return None

        def read(spec: FieldSpec, line: int, cells: list[str]) -> Any:
            return take(spec, line, self.cell(spec, cells))

        for fname, spec in self.mapping.sections.get("record", {}).items():
            where[(fname,)] = (first, self.label(spec))
            value, at = None, first
            for line, cells in rows:
                text = self.cell(spec, cells)
                if text is None:
                    continue
                if value is None:
                    value, at = text, line
                elif text != value:
                    why = f"{quote(text)} differs from the record's first row (line {at})"
                    errors.append(InputError(self.name, line, self.label(spec), why))
            if value is not None:
                converted = take(spec, at, value)
                if converted is not None:
                    data[fname] = converted
                where[(fname,)] = (at, self.label(spec))
        if "offenses" in data:
            data["offenses"] = [{"code": c} for c in data["offenses"]]

        persons: list[dict[str, Any]] = []
        extras: dict[str, list[dict[str, Any]]] = {"vehicles": [], "locations": [], "phones": []}
        for line, cells in rows:
            person = self._person(line, cells, len(persons), read, where)
            if person is not None:
                persons.append(person)
            for section, key in (("vehicle", "vehicles"), ("location", "locations")):
                self._extra(section, key, line, cells, extras, read, where)
            self._extra("phone", "phones", line, cells, extras, read, where)
        if persons:
            data["persons"] = persons
        data.update({k: v for k, v in extras.items() if v})

        def locate(loc: Loc) -> tuple[int, str]:
            for n in range(len(loc), 0, -1):
                hit = where.get(loc[:n])
                if hit is not None:
                    return hit
            return first, field_path(loc) or "record"

        record, problems = self.validator.check(data, locate)
        found = sorted(
            errors + list(problems), key=lambda e: e.line if isinstance(e.line, int) else 0
        )
        ref = data.get("source_id")
        return ReadItem(first, None if found else record, tuple(found), ref)

    def _present(self, section: str, cells: list[str]) -> bool:
        specs = self.mapping.sections.get(section, {}).values()
        return any(s.column is not None and self.cell(s, cells) is not None for s in specs)

    def _person(
        self, line: int, cells: list[str], i: int, read: Any, where: dict[Loc, tuple[int, str]]
    ) -> dict[str, Any] | None:
        if not self._present("person", cells):
            return None
        specs = self.mapping.sections["person"]
        p: dict[str, Any] = {"ref": f"P{i + 1}"}
        name: dict[str, Any] = {}
        ids: dict[str, dict[str, Any]] = {}
        for fname, spec in specs.items():
            where[("persons", i, fname)] = (line, self.label(spec))
            value = read(spec, line, cells)
            if value is None:
                continue
            if fname in ("last", "first", "middle", "suffix"):
                name[fname] = value
                where[("persons", i, "name", fname)] = (line, self.label(spec))
            elif fname in _IDS:
                ids.setdefault(fname, {})["value"] = value
            elif fname in _ISSUERS:
                ids.setdefault(fname.removesuffix("_issuer"), {})["issuer"] = value
            elif fname == "marks":
                p["marks"] = [{"description": d} for d in value]
            elif fname in ("phones", "addresses"):
                key = "number" if fname == "phones" else "text"
                p[fname] = [{key: v} for v in value]
            else:
                p[fname] = value
        if "name" not in p:
            p["name"] = name
            last = specs.get("last")
            if last is not None:
                where[("persons", i, "name")] = (line, self.label(last))
        identifiers: list[dict[str, Any]] = []
        for kind_field, entry in ids.items():
            kind, issuer_field = _IDS[kind_field]
            source = specs.get(kind_field) or specs[issuer_field or kind_field]
            where[("persons", i, "identifiers", len(identifiers))] = (line, self.label(source))
            identifiers.append({"kind": kind, **entry})
        if identifiers:
            p["identifiers"] = identifiers
        return p

    def _extra(
        self,
        section: str,
        key: str,
        line: int,
        cells: list[str],
        extras: dict[str, list[dict[str, Any]]],
        read: Any,
        where: dict[Loc, tuple[int, str]],
    ) -> None:
        if not self._present(section, cells):
            return
        item: dict[str, Any] = {}
        labels: dict[str, str] = {}
        for fname, spec in self.mapping.sections[section].items():
            value = read(spec, line, cells)
            labels[fname] = self.label(spec)
            if value is not None:
                item[fname] = value
        if section == "location" and "address" in item:
            item["address"] = {"text": item["address"]}
        if item in extras[key]:
            return
        j = len(extras[key])
        extras[key].append(item)
        where[(key, j)] = (line, next(iter(labels.values())))
        for fname, label in labels.items():
            where[(key, j, fname)] = (line, label)
