"""Signed node-to-node requests: RFC 9421 HTTP Message Signatures with Ed25519.

Every request a node sends to a peer carries

    Date:            the time of sending (IMF-fixdate)
    Content-Digest:  sha-256 of the body (RFC 9530), also for an empty body
    Lexhub-To:       the name of the node it is meant for
    Lexhub-Context:  the requester (user, agency, role, purpose, case), where one is needed
    Signature-Input: lexhub=("@method" "@path" "@query" "content-digest" "date" "lexhub-to"
                     ["lexhub-context"]);created=...;keyid="NAME:KEYID";alg="ed25519";
                     nonce="...";tag="lexhub-federation/1"
    Signature:       lexhub=:...:

`@path` and `@query` rather than `@target-uri`: a reverse proxy or TLS terminator in front
of a node changes scheme and authority, not the path; `Lexhub-To` binds the request to its
addressee instead, so a request captured on its way to one peer is refused by every other.

The receiver refuses (and the caller of `verify_request` audits) a request that is unsigned
or malformed, signed by a key it does not hold for that peer, wrongly signed (any covered
part changed: method, path, query, body, date, addressee, context), stale (created or dated
more than `window` away from its clock, either way), addressed to another node, or whose
nonce it has already accepted (replay). The signature base is built by the
`http-message-signatures` package; freshness and replay are decided here with an injectable
clock, so tests need no sleeping.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, cast

import http_sf
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from lexhub.audit.keys import load_public_key
from lexhub.errors import AccessDenied
from lexhub.federation.identity import NodeIdentity
from lexhub.model.federation import Peer

__all__ = [
    "CONTEXT_HEADER",
    "DEFAULT_WINDOW",
    "HeaderLines",
    "TAG",
    "TO_HEADER",
    "RequestRefused",
    "SignedMessage",
    "Verified",
    "sign_request",
    "verify_request",
]

TAG = "lexhub-federation/1"
LABEL = "lexhub"
TO_HEADER = "Lexhub-To"
CONTEXT_HEADER = "Lexhub-Context"
COMPONENTS = ("@method", "@path", "@query", "content-digest", "date", "lexhub-to")
DEFAULT_WINDOW = timedelta(seconds=60)


class RequestRefused(AccessDenied):
    """A node-to-node request refused. `status` is the protocol's name for it (what the
    calling broker shows): `unauthorized` (HTTP 401: not a request this node can attribute
    to a peer it trusts) or `refused` (HTTP 403: an authenticated peer asked for something
    it may not). `code` says which rule: unsigned, malformed, unknown-key, bad-signature,
    stale, replayed, wrong-node, agency."""

    http_status = 401

    def __init__(self, code: str, reason: str, *, keyid: str | None = None) -> None:
        self.code = code
        self.reason = reason
        self.keyid = keyid
        self.status = "refused" if code == "agency" else "unauthorized"
        self.http_status = 403 if code == "agency" else 401
        super().__init__(f"{code}: {reason}")


class HeaderLines:
    """Header lines in order (repeats kept), as the signature library reads them."""

    def __init__(self, lines: Iterable[tuple[str, str]]) -> None:
        self._lines = list(lines)

    def items(self) -> list[tuple[str, str]]:
        return self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for name, _ in self._lines))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(n.lower() == name.lower() for n, _ in self._lines)

    def get(self, name: str) -> str | None:
        values = [v for n, v in self._lines if n.lower() == name.lower()]
        return ", ".join(values) if values else None


@dataclass
class SignedMessage:
    """A request as the verifier sees it: method, absolute URL (the path and query exactly
    as sent, still percent-encoded), header lines, body bytes."""

    method: str
    url: str
    headers: Any
    body: bytes = b""


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, private: Any = None, public: Any = None) -> None:
        self._private = private
        self._public = public

    def resolve_private_key(self, key_id: str) -> Any:
        return self._private

    def resolve_public_key(self, key_id: str) -> Any:
        return self._public


class _Verifier(HTTPMessageVerifier):
    """Freshness is checked by `verify_request` with its own clock, not the library's."""

    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


def sign_request(
    identity: NodeIdentity,
    method: str,
    url: str,
    body: bytes,
    *,
    to: str,
    context: str | None = None,
    now: datetime,
) -> dict[str, str]:
    """The headers that make this request a signed one from `identity` to node `to`.
    `context` (the Lexhub-Context value) is covered by the signature when given."""
    headers: dict[str, str] = {
        "Date": format_datetime(now.astimezone(UTC), usegmt=True),
        TO_HEADER: to,
    }
    components = list(COMPONENTS)
    if context is not None:
        headers[CONTEXT_HEADER] = context
        components.append(CONTEXT_HEADER.lower())
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_Keys(private=identity.private)
    )
    signer.sign(
        SignedMessage(method.upper(), url, headers),
        key_id=identity.keyid,
        created=now,
        nonce=secrets.token_urlsafe(18),
        label=LABEL,
        tag=TAG,
        covered_component_ids=components,
        body=body,
    )
    return headers


@dataclass(frozen=True)
class Verified:
    peer: Peer
    key_id: str
    nonce: str
    created: datetime


def _our_signature(headers: HeaderLines) -> tuple[str, int, str]:
    """keyid, created and nonce of the lexhub-tagged signature. Raises RequestRefused."""
    sig_input, signature = headers.get("Signature-Input"), headers.get("Signature")
    if not sig_input or not signature:
        raise RequestRefused("unsigned", "no Signature and Signature-Input headers")
    try:
        parsed: dict[str, Any] = cast(
            "dict[str, Any]", http_sf.parse(sig_input.encode("latin-1"), tltype="dictionary")
        )
    except Exception as e:  # the parser's own error types vary by version
        raise RequestRefused("malformed", f"Signature-Input is not a dictionary: {e}") from None
    ours = [params for _, params in parsed.values() if params.get("tag") == TAG]
    if len(ours) != 1:
        raise RequestRefused("malformed", f"expected one signature tagged {TAG!r}")
    params = ours[0]
    keyid, created, nonce = params.get("keyid"), params.get("created"), params.get("nonce")
    if not isinstance(keyid, str) or type(created) is not int or not isinstance(nonce, str):
        raise RequestRefused("malformed", "keyid, created and nonce are required")
    if params.get("alg", "ed25519") != "ed25519":
        raise RequestRefused("malformed", "alg must be ed25519", keyid=keyid)
    return keyid, created, nonce


def verify_request(
    message: SignedMessage,
    *,
    node: str,
    lookup: Callable[[str], Peer | None],
    use_nonce: Callable[[str, str, datetime], bool],
    now: datetime,
    window: timedelta = DEFAULT_WINDOW,
    with_context: bool = False,
) -> Verified:
    """The peer that signed `message`, if this node (named `node`) may accept it.

    `lookup(name)` gives a registered peer (None if unknown or removed); `use_nonce(peer,
    nonce, expires_at)` records a nonce and says False if it was already used. Raises
    RequestRefused with the rule broken; callers MUST audit the refusal."""
    headers = message.headers if isinstance(message.headers, HeaderLines) else HeaderLines(
        message.headers.items() if isinstance(message.headers, Mapping) else message.headers
    )  # fmt: skip
    keyid, created_ts, nonce = _our_signature(headers)
    name, _, key_id = keyid.partition(":")
    peer = lookup(name)
    key = None if peer is None or not peer.active else peer.key(key_id)
    if peer is None or key is None:
        raise RequestRefused("unknown-key", f"no registered peer holds key {keyid!r}", keyid=keyid)
    if not key.active:  # the peer rotated away from it: whoever holds it now, not the peer
        raise RequestRefused("unknown-key", f"key {keyid!r} was retired", keyid=keyid)
    required = [*COMPONENTS, *((CONTEXT_HEADER.lower(),) if with_context else ())]
    verifier = _Verifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=_Keys(public=load_public_key(key.public_key)),
    )
    try:
        verifier.verify(
            SignedMessage(message.method.upper(), message.url, headers),
            max_age=None,
            expect_tag=TAG,
            require_components=required,
            body=message.body,
        )
    except (InvalidSignature, HTTPMessageSignaturesException) as e:
        raise RequestRefused("bad-signature", str(e) or type(e).__name__, keyid=keyid) from None
    created = datetime.fromtimestamp(created_ts, UTC)
    try:
        dated = parsedate_to_datetime(headers.get("Date") or "")
    except (TypeError, ValueError):
        raise RequestRefused("malformed", "Date is not an HTTP date", keyid=keyid) from None
    for label, when in (("created", created), ("Date", dated)):
        if abs(now - when) > window:
            raise RequestRefused(
                "stale", f"{label} {when.isoformat()} is more than {window} from "
                f"{now.isoformat()}", keyid=keyid,
            )  # fmt: skip
    if headers.get(TO_HEADER) != node:
        raise RequestRefused(
            "wrong-node", f"addressed to {headers.get(TO_HEADER)!r}, this is {node!r}", keyid=keyid
        )
    if not use_nonce(peer.name, nonce, created + window + timedelta(seconds=1)):
        raise RequestRefused("replayed", f"nonce {nonce} was already used", keyid=keyid)
    return Verified(peer, key_id, nonce, created)
