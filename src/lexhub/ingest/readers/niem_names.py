"""The NIEM 5 names lexhub's XML subset uses, shared by the reader and the writer.

Namespaces are the NIEM 5.0 release ones (niem-core 5.0, justice domain jxdm 7.0,
structures 5.0). Elements with no fitting NIEM 5 name are in lexhub's own extension
namespace `LH`, which is also the exchange's default namespace (so paths read
`/Exchange/nc:Incident[3]/nc:Person[2]`). The list of what is read is docs/formats.md.
"""

from __future__ import annotations

__all__ = [
    "ID_ELEMENTS",
    "J",
    "LH",
    "NC",
    "NSMAP",
    "RECORD_ELEMENTS",
    "REPEATABLE",
    "STRUCTURES",
    "clark",
    "qname",
]

NC = "http://release.niem.gov/niem/niem-core/5.0/"
J = "http://release.niem.gov/niem/domains/jxdm/7.0/"
STRUCTURES = "http://release.niem.gov/niem/structures/5.0/"
LH = "urn:lexhub:ns:exchange:1.0"

NSMAP: dict[str | None, str] = {None: LH, "nc": NC, "j": J, "structures": STRUCTURES}
_PREFIX = {NC: "nc:", J: "j:", STRUCTURES: "structures:", LH: ""}

# record type -> the element that holds a record of that type
RECORD_ELEMENTS: dict[str, str] = {
    "incident": "nc:Incident",
    "arrest": "j:Arrest",
    "booking": "j:Booking",
    "citation": "j:Citation",
    "warrant": "j:Warrant",
    "field-interview": "FieldInterview",
}

# identifier kind -> element (each holds nc:IdentificationID, nc:IdentificationSourceText)
ID_ELEMENTS: dict[str, str] = {
    "state-id": "j:PersonStateFingerprintIdentification",
    "drivers-license": "nc:DriverLicenseIdentification",
    "fbi-number": "j:PersonFBIIdentification",
    "booking-number": "j:BookingIdentification",
    "other": "nc:PersonOtherIdentification",
}

# elements that may repeat under their parent: their paths carry a position, [n]
REPEATABLE = frozenset(
    {
        *RECORD_ELEMENTS.values(),
        *ID_ELEMENTS.values(),
        "j:Offense",
        "nc:Person",
        "nc:PersonAlternateName",
        "PersonMonikerText",
        "j:PersonPhysicalFeature",
        "nc:TelephoneNumber",
        "nc:Location",
        "nc:Vehicle",
    }
)


def qname(tag: str) -> str:
    """`{uri}Local` -> `nc:Local` (or `Local` in lexhub's namespace; `{uri}Local` if unknown)."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _PREFIX.get(uri)
        return f"{prefix}{local}" if prefix is not None else tag
    return tag


def clark(name: str) -> str:
    """`nc:Local` -> `{uri}Local`, the form lxml uses."""
    prefix, colon, local = name.partition(":")
    if not colon:
        return f"{{{LH}}}{name}"
    uri = {"nc": NC, "j": J, "structures": STRUCTURES}[prefix]
    return f"{{{uri}}}{local}"
