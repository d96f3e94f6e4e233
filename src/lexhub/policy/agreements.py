"""Agreements and owner policies from YAML, checked before anything is stored.

A file holds one or more YAML documents (separated by `---`); each is an agreement or,
under the single key `owner_policy:`, an owner policy (docs/policy.md gives the form).
Everything is checked and every problem reported at once, each naming the file, the line
and the key (`agreements.yaml:7: purposes[1]: unknown purpose "immigration"`): an unknown
key, agency, group, purpose, role, record type or field is an error, never ignored, because
a typo in a restriction would otherwise silently share more than the owner meant.
The YAML is composed node by node (not loaded) to keep those line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

import yaml

from lexhub.errors import BatchRejected, InputError
from lexhub.model import WITHHOLDABLE, Disclosure, RecordType, Role, Sensitivity, Withholding
from lexhub.model.agreement import (
    GROUP_PREFIX,
    OWNER_POLICY_PREFIX,
    Agreement,
    OwnerPolicy,
    PolicyDocument,
)
from lexhub.model.context import Purpose, UserRole
from lexhub.model.offenses import OffenseCategory

__all__ = ["AGREEMENT_KEYS", "OWNER_POLICY_KEYS", "WITHHOLD_KEYS", "parse_policies"]

AGREEMENT_KEYS = (  # fmt: skip
    "id",
    "owner",
    "grantees",
    "purposes",
    "roles",
    "record_types",
    "max_sensitivity",
    "disclosure",
    "withhold",
    "valid_from",
    "valid_to",
    "description",
)
REQUIRED = ("id", "owner", "grantees", "purposes", "record_types")
OWNER_POLICY_KEYS = (
    "owner",
    "prohibited_purposes",
    "prohibited_requesters",
    "withhold",
    "description",
)
WITHHOLD_KEYS = ("fields", "person_roles", "offense_categories")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
E = TypeVar("E", bound=StrEnum)


@dataclass
class _Reader:
    """Collects every problem of one file instead of stopping at the first."""

    name: str
    agencies: frozenset[str]
    groups: frozenset[str]
    problems: list[InputError] = field(default_factory=list)

    def fail(self, node: yaml.Node, key: str | None, reason: str) -> None:
        self.problems.append(InputError(self.name, node.start_mark.line + 1, key, reason))

    def mapping(
        self, node: yaml.Node, where: str | None, allowed: Iterable[str]
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, "must be a mapping of keys to values")
            return {}
        allowed = tuple(allowed)
        out: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            path = f"{where}.{key}" if where else key
            if key not in allowed:
                self.fail(key_node, path, f"unknown key; allowed: {', '.join(allowed)}")
            elif key in out:
                self.fail(key_node, path, "is given twice")
            else:
                out[key] = value
        return out

    def text(self, node: yaml.Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            self.fail(node, key, "must be a single value")
            return None
        return str(node.value)

    def items(self, node: yaml.Node, key: str) -> list[tuple[yaml.Node, str, str]]:
        """(node, key path, text) of each item of a list of single values."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, key, "must be a list, e.g. [a, b]")
            return []
        out = []
        for i, item in enumerate(node.value):
            value = self.text(item, f"{key}[{i}]")
            if value is not None:
                out.append((item, f"{key}[{i}]", value))
        if not node.value:
            self.fail(node, key, "must not be empty")
        return out

    def choice(self, node: yaml.Node, key: str, enum: type[E], what: str) -> E | None:
        value = self.text(node, key)
        if value is None:
            return None
        try:
            return enum(value.strip().lower())
        except ValueError:
            choices = ", ".join(e.value for e in enum)
            self.fail(node, key, f'unknown {what} "{value}"; one of {choices}')
            return None

    def choices(self, node: yaml.Node, key: str, enum: type[E], what: str) -> frozenset[E]:
        out = (self.choice(item, path, enum, what) for item, path, _ in self.items(node, key))
        return frozenset(x for x in out if x is not None)

    def agency(self, node: yaml.Node, key: str, value: str | None) -> str | None:
        if value is None:
            return None
        if value not in self.agencies:
            self.fail(node, key, f'unknown agency "{value}" (register it with `lexhub agency add`)')
            return None
        return value

    def parties(self, node: yaml.Node, key: str) -> frozenset[str]:
        """Agencies and groups ("group:NAME"), each of which must exist."""
        out: set[str] = set()
        for item, path, value in self.items(node, key):
            if value.startswith(GROUP_PREFIX):
                if value not in self.groups:
                    self.fail(
                        item, path, f'unknown group "{value}" (create it with `lexhub group add`)'
                    )
                    continue
                out.add(value)
            elif self.agency(item, path, value) is not None:
                out.add(value)
        return frozenset(out)

    def day(self, node: yaml.Node, key: str) -> date | None:
        value = self.text(node, key)
        try:
            return None if value is None else date.fromisoformat(value)
        except ValueError:
            self.fail(node, key, f'"{value}" is not a date (YYYY-MM-DD)')
            return None

    def withhold(self, node: yaml.Node, key: str) -> tuple[Withholding, ...]:
        """A list whose items are a field name, or {fields, person_roles, offense_categories}."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, key, "must be a list of fields or of {fields: [...], ...} rules")
            return ()
        rules: list[Withholding] = []
        for i, item in enumerate(node.value):
            path = f"{key}[{i}]"
            if isinstance(item, yaml.ScalarNode):
                fields = self._fields([(item, path, str(item.value))])
                rules += [Withholding(fields)] if fields else []
                continue
            parts = self.mapping(item, path, WITHHOLD_KEYS)
            if "fields" not in parts:
                if parts or isinstance(item, yaml.MappingNode):
                    self.fail(item, f"{path}.fields", "is required")
                continue
            fields = self._fields(self.items(parts["fields"], f"{path}.fields"))
            roles = cats = None
            if "person_roles" in parts:
                roles = self.choices(
                    parts["person_roles"], f"{path}.person_roles", Role, "person role"
                )
                records = sorted(f for f in fields if f.startswith("record."))
                if records:
                    self.fail(
                        parts["person_roles"],
                        f"{path}.person_roles",
                        f"record fields ({', '.join(records)}) cannot depend on a person's"
                        " role; put them in a rule of their own",
                    )
            if "offense_categories" in parts:
                cats = self.choices(
                    parts["offense_categories"],
                    f"{path}.offense_categories",
                    OffenseCategory,
                    "offense category",
                )
            if fields and (roles is None or roles) and (cats is None or cats):
                rules.append(Withholding(fields, roles, cats))
        return tuple(rules)

    def _fields(self, items: list[tuple[yaml.Node, str, str]]) -> frozenset[str]:
        out = set()
        for item, path, value in items:
            if value in WITHHOLDABLE:
                out.add(value)
            else:
                self.fail(item, path, f'unknown field "{value}"; one of {", ".join(WITHHOLDABLE)}')
        return frozenset(out)


def _agreement(r: _Reader, node: yaml.MappingNode) -> Agreement | None:
    top = r.mapping(node, None, AGREEMENT_KEYS)
    before = len(r.problems)
    for key in REQUIRED:
        if key not in top:
            r.fail(node, key, "is required")
    got: dict[str, object] = {}
    readers: dict[str, Callable[[yaml.Node, str], object]] = {
        "id": r.text,
        "owner": lambda n, k: r.agency(n, k, r.text(n, k)),
        "grantees": r.parties,
        "purposes": lambda n, k: r.choices(n, k, Purpose, "purpose"),
        "roles": lambda n, k: r.choices(n, k, UserRole, "user role"),
        "record_types": lambda n, k: r.choices(n, k, RecordType, "record type"),
        "max_sensitivity": lambda n, k: r.choice(n, k, Sensitivity, "sensitivity"),
        "disclosure": lambda n, k: r.choice(n, k, Disclosure, "disclosure"),
        "withhold": r.withhold,
        "valid_from": r.day,
        "valid_to": r.day,
        "description": r.text,
    }
    for key, value in top.items():
        got[key] = readers[key](value, key)
    doc_id = got.get("id")
    if isinstance(doc_id, str) and (
        not _ID.match(doc_id) or doc_id.startswith(OWNER_POLICY_PREFIX)
    ):
        r.fail(
            top["id"],
            "id",
            f'"{doc_id}" must be lower-case letters, digits, ".", "_" or "-"'
            f' (at most 80), and not start with "{OWNER_POLICY_PREFIX}"',
        )
    start, end = got.get("valid_from"), got.get("valid_to")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        r.fail(top["valid_to"], "valid_to", f"{end} is before valid_from {start}")
    if len(r.problems) > before:
        return None
    return Agreement(**got)  # type: ignore[arg-type]


def _owner_policy(r: _Reader, node: yaml.Node) -> OwnerPolicy | None:
    top = r.mapping(node, "owner_policy", OWNER_POLICY_KEYS)
    before = len(r.problems)
    if "owner" not in top:
        r.fail(node, "owner_policy.owner", "is required")
        return None
    owner = r.agency(top["owner"], "owner_policy.owner", r.text(top["owner"], "owner_policy.owner"))
    purposes = requesters = frozenset[str]()
    if "prohibited_purposes" in top:
        purposes = r.choices(
            top["prohibited_purposes"], "owner_policy.prohibited_purposes", Purpose, "purpose"
        )
    if "prohibited_requesters" in top:
        requesters = r.parties(top["prohibited_requesters"], "owner_policy.prohibited_requesters")
    rules = r.withhold(top["withhold"], "owner_policy.withhold") if "withhold" in top else ()
    description = (
        r.text(top["description"], "owner_policy.description") if "description" in top else None
    )
    if len(r.problems) > before or owner is None:
        return None
    return OwnerPolicy(owner, purposes, requesters, rules, description)  # type: ignore[arg-type]


def parse_policies(
    text: str, name: str, *, agencies: Iterable[str], groups: Iterable[str]
) -> list[tuple[PolicyDocument, str]]:
    """Every agreement and owner policy in `text` (file `name`), checked against the
    `agencies` (ORIs) and `groups` ("group:NAME") that exist, each with its YAML source
    (the whole file if it holds one document, else the document's own text).

    Raises InputError for a single problem, BatchRejected listing all of them otherwise;
    returns only when the whole file is valid."""
    r = _Reader(name, frozenset(agencies), frozenset(groups))
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            name, line, None, f"is not valid YAML: {getattr(e, 'problem', e)}"
        ) from None
    docs: list[tuple[PolicyDocument, str]] = []
    seen: dict[str, int] = {}
    for node in nodes:
        if node is None:
            continue
        doc: PolicyDocument | None
        if isinstance(node, yaml.MappingNode) and any(
            isinstance(k, yaml.ScalarNode) and k.value == "owner_policy" for k, _ in node.value
        ):
            r.mapping(node, None, ("owner_policy",))
            doc = _owner_policy(r, dict((k.value, v) for k, v in node.value)["owner_policy"])
        elif isinstance(node, yaml.MappingNode):
            doc = _agreement(r, node)
        else:
            r.fail(node, None, "a document must be an agreement or {owner_policy: ...}")
            continue
        if doc is not None:
            line = node.start_mark.line + 1
            if doc.doc_id in seen:
                r.fail(node, None, f"{doc.doc_id} is also defined at line {seen[doc.doc_id]}")
            seen[doc.doc_id] = line
            docs.append((doc, text[node.start_mark.index : node.end_mark.index]))
    if not docs and not r.problems:
        r.problems.append(InputError(name, None, None, "holds no agreement or owner policy"))
    if len(docs) == 1:
        docs = [(docs[0][0], text)]
    r.problems.sort(key=lambda p: p.line if isinstance(p.line, int) else 0)
    if len(r.problems) == 1:
        raise r.problems[0]
    if r.problems:
        raise BatchRejected(name, r.problems)
    return docs
