"""Synthetic data-sharing agreements for a demo region, as the YAML records administrators
would write (docs/policy.md).

Every agency shares with the region's other agencies for criminal-justice purposes. The
largest city police department (the first police agency) adopts a sanctuary-style owner
policy: civil immigration enforcement is prohibited, and victims of sex offenses are never
disclosed. The county sheriffs also answer the federal partners, with pointers only, for
criminal investigation and civil immigration enforcement: so a federal search for civil
immigration enforcement finds pointers from the sheriffs and is blocked by the city, and
`lexhub report` shows the blocked attempt.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["REGION_GROUP", "FEDERAL_GROUP", "demo_policies", "sanctuary_city"]

REGION_GROUP = "region"
FEDERAL_GROUP = "federal-partners"
CJ_PURPOSES = (
    "criminal-investigation", "officer-safety", "warrant-service", "missing-person",
    "victim-services",
)  # fmt: skip
ALL_TYPES = "[incident, arrest, booking, field-interview, citation, warrant]"


def sanctuary_city(agencies: Sequence[tuple[str, str]]) -> str | None:
    """The ORI of the first police agency of (ori, kind) pairs: the sanctuary city."""
    return next((ori for ori, kind in agencies if kind == "police"), None)


def demo_policies(agencies: Sequence[tuple[str, str]], valid_from: str = "2020-01-01") -> str:
    """YAML documents for (ori, kind) pairs of the region's contributing agencies."""
    docs: list[str] = []
    city = sanctuary_city(agencies)
    for ori, kind in agencies:
        docs.append(
            f"id: {ori.lower()}-regional\n"
            f"owner: {ori}\n"
            f"grantees: [group:{REGION_GROUP}]\n"
            f"purposes: [{', '.join(CJ_PURPOSES)}]\n"
            f"record_types: {ALL_TYPES}\n"
            "max_sensitivity: sensitive\n"
            f"valid_from: {valid_from}\n"
            "description: Regional sharing among the region's agencies.\n"
        )
        if kind == "sheriff":
            docs.append(
                f"id: {ori.lower()}-federal\n"
                f"owner: {ori}\n"
                f"grantees: [group:{FEDERAL_GROUP}]\n"
                "purposes: [criminal-investigation, civil-immigration-enforcement]\n"
                "record_types: [arrest, booking, warrant]\n"
                "max_sensitivity: standard\n"
                "disclosure: pointer\n"
                f"valid_from: {valid_from}\n"
                "description: Federal partners learn that a record exists and whom to call.\n"
            )
    if city is not None:
        docs.append(
            "owner_policy:\n"
            f"  owner: {city}\n"
            "  prohibited_purposes: [civil-immigration-enforcement]\n"
            "  withhold:\n"
            "    - fields: [person]\n"
            "      person_roles: [victim]\n"
            "      offense_categories: [sex-offense]\n"
            "  description: City ordinance; victims of sexual offenses are never disclosed.\n"
        )
    return "---\n".join(docs)
