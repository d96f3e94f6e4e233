"""What travels between nodes: the request context, the query and the hits, as JSON.

One codec for both directions, so the sending and answering node cannot drift apart. Hits
lose the answering node's internal ids (`record_id`, `mention_id`: they mean nothing
elsewhere); a hit is named by its owner and source id, which is what retrieval asks for.
Anything a decoder does not understand is refused with a ValueError naming the field,
never guessed at.
"""

from __future__ import annotations

import base64
import binascii
import json
import types
from dataclasses import fields
from datetime import date
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

from lexhub.model import Contact, Disclosure, RequestContext, UserRole
from lexhub.search import Band, Evidence, Hit, PersonQuery, Query, RecordQuery

__all__ = [
    "context_from_header",
    "context_header",
    "context_to_wire",
    "context_from_wire",
    "hit_from_wire",
    "hit_to_wire",
    "query_from_wire",
    "query_to_wire",
]

Json = dict[str, Any]

_CONTEXT_FIELDS = ("user", "agency", "role", "purpose", "case_number", "justification")


def context_to_wire(context: RequestContext) -> Json:
    """The requester as the answering node will audit it (`node` is set there, not here)."""
    out: Json = {
        "user": context.user,
        "agency": context.agency,
        "role": context.role.value,
        "purpose": context.purpose.value,
        "case_number": context.case_number,
        "justification": context.justification,
    }
    return {k: v for k, v in out.items() if v is not None}


def context_from_wire(data: Any, node: str) -> RequestContext:
    """The remote requester as a context of this node, from `node`. Raises ValueError."""
    if not isinstance(data, dict) or set(data) - set(_CONTEXT_FIELDS):
        raise ValueError(f"context: expected an object with {', '.join(_CONTEXT_FIELDS)}")
    try:
        role = UserRole(str(data.get("role")))
    except ValueError:
        raise ValueError(f"role: unknown {data.get('role')!r}") from None
    return RequestContext(
        user=str(data.get("user", "")),
        agency=str(data.get("agency", "")),
        role=role,
        purpose=RequestContext.parse_purpose(str(data.get("purpose", ""))),
        case_number=data.get("case_number"),
        justification=data.get("justification"),
        node=node,
    )


def context_header(context: RequestContext) -> str:
    """The Lexhub-Context header: base64url of compact JSON (headers stay ASCII)."""
    raw = json.dumps(context_to_wire(context), sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")


def context_from_header(value: str | None, node: str) -> RequestContext:
    if not value:
        raise ValueError("context: the Lexhub-Context header is required")
    try:
        data = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        raise ValueError("context: Lexhub-Context is not base64url JSON") from None
    return context_from_wire(data, node)


def query_to_wire(query: Query) -> Json:
    out: Json = {"kind": "record" if isinstance(query, RecordQuery) else "person"}
    for f in fields(query):
        value = getattr(query, f.name)
        if value is None:
            continue
        out[f.name] = value.value if isinstance(value, Enum) else (
            value.isoformat() if isinstance(value, date) else value
        )  # fmt: skip
    return out


def _field_type(hint: Any) -> Any:
    """`X` of `X | None`."""
    if get_origin(hint) in (Union, types.UnionType):
        return next(a for a in get_args(hint) if a is not type(None))
    return hint


def _decode(name: str, kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if kind is date:
        if not isinstance(value, str):
            raise ValueError(f"{name}: expected YYYY-MM-DD")
        return date.fromisoformat(value)
    if kind is int:
        if type(value) is not int:
            raise ValueError(f"{name}: expected an integer")
        return value
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a string")
    return value


def query_from_wire(data: Any) -> Query:
    """Raises ValueError naming the first field that is not one of the query's."""
    if not isinstance(data, dict):
        raise ValueError("query: expected an object")
    cls: type[PersonQuery] | type[RecordQuery]
    cls = RecordQuery if data.get("kind") == "record" else PersonQuery
    if data.get("kind") not in ("person", "record"):
        raise ValueError("query.kind: person or record")
    hints = get_type_hints(cls)
    values: Json = {}
    for name, value in data.items():
        if name == "kind":
            continue
        if name not in hints:
            raise ValueError(f"query.{name}: not a field of a {data['kind']} query")
        try:
            values[name] = _decode(f"query.{name}", _field_type(hints[name]), value)
        except ValueError as e:
            text = str(e) if str(e).startswith("query.") else f"query.{name}: {e}"
            raise ValueError(text) from None
    return cls(**values)


def hit_to_wire(hit: Hit) -> Json:
    c = hit.contact
    return {
        "score": hit.score,
        "band": hit.band.value,
        "disclosure": hit.disclosure.value,
        "owner": hit.owner,
        "record_type": hit.record_type,
        "occurred": hit.occurred,
        "source_id": hit.source_id,
        "person": hit.person,
        "evidence": [{"field": e.field, "text": e.text, "score": e.score} for e in hit.evidence],
        "contact": None if c is None else {"unit": c.unit, "phone": c.phone, "email": c.email},
    }


def hit_from_wire(data: Any) -> Hit:
    """Raises ValueError (or KeyError, TypeError) on an answer that is not a hit."""
    if not isinstance(data, dict):
        raise ValueError("hit: expected an object")
    contact = data.get("contact")
    person = data.get("person") or {}
    if not isinstance(person, dict):
        raise ValueError("hit.person: expected an object")
    return Hit(
        score=float(data["score"]),
        band=Band(data["band"]),
        disclosure=Disclosure(data["disclosure"]),
        owner=str(data["owner"]),
        record_type=str(data["record_type"]),
        occurred=data.get("occurred"),
        source_id=data.get("source_id"),
        person=person,
        evidence=tuple(
            Evidence(str(e["field"]), str(e["text"]), float(e["score"]))
            for e in data.get("evidence") or ()
        ),
        contact=None if not contact else Contact(
            str(contact["unit"]), contact.get("phone"), contact.get("email")
        ),
    )  # fmt: skip
