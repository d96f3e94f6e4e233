"""Who asks, for which agency, in which role, for what purpose and case: on every query.

The purpose codes are a fixed list (docs/policy.md). Each falls under the III purpose code
that federal criminal-history rules would apply (C criminal justice, J criminal-justice
employment, ...) or under none: civil immigration enforcement is not a criminal-justice
purpose, and an owner may prohibit it outright. A case number is required for every
purpose but training and administrative, which require a written justification instead.
A context that breaks these rules is rejected before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lexhub.model.agency import validate_ori

__all__ = ["III_CODE", "Purpose", "RequestContext", "UserRole"]


class Purpose(StrEnum):
    CRIMINAL_INVESTIGATION = "criminal-investigation"
    OFFICER_SAFETY = "officer-safety"
    WARRANT_SERVICE = "warrant-service"
    MISSING_PERSON = "missing-person"
    VICTIM_SERVICES = "victim-services"
    CJ_EMPLOYMENT = "cj-employment"  # criminal-justice employment background check
    FIREARMS_CHECK = "firearms-check"
    DOMESTIC_VIOLENCE = "domestic-violence"  # protection order service and enforcement
    CIVIL_IMMIGRATION_ENFORCEMENT = "civil-immigration-enforcement"
    ADMINISTRATIVE = "administrative"
    TRAINING = "training"

    @property
    def needs_case_number(self) -> bool:
        return self not in (Purpose.ADMINISTRATIVE, Purpose.TRAINING)


# The III purpose code each purpose falls under; None: no criminal-justice purpose.
III_CODE: dict[Purpose, str | None] = {
    Purpose.CRIMINAL_INVESTIGATION: "C",
    Purpose.OFFICER_SAFETY: "C",
    Purpose.WARRANT_SERVICE: "C",
    Purpose.MISSING_PERSON: "C",
    Purpose.VICTIM_SERVICES: "C",
    Purpose.CJ_EMPLOYMENT: "J",
    Purpose.FIREARMS_CHECK: "F",
    Purpose.DOMESTIC_VIOLENCE: "D",
    Purpose.CIVIL_IMMIGRATION_ENFORCEMENT: None,
    Purpose.ADMINISTRATIVE: None,
    Purpose.TRAINING: None,
}


class UserRole(StrEnum):
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    RECORDS_ADMIN = "records-admin"  # of its own agency
    AUDITOR = "auditor"  # its own agency's data, or every agency's for an oversight body
    NODE_ADMIN = "node-admin"


@dataclass(frozen=True)
class RequestContext:
    """Raises ValueError naming the field when the context may not run a query."""

    user: str
    agency: str
    role: UserRole
    purpose: Purpose
    case_number: str | None = None
    justification: str | None = None
    node: str | None = None  # the remote node a federated request came from

    def __post_init__(self) -> None:
        if not self.user.strip():
            raise ValueError("user: required")
        try:
            validate_ori(self.agency)
        except ValueError as e:
            raise ValueError(f"agency: {e}") from None
        if not isinstance(self.purpose, Purpose):
            raise ValueError(f"purpose: {self.purpose!r} is not a purpose code")
        if self.purpose.needs_case_number:
            if not (self.case_number or "").strip():
                raise ValueError(f"case_number: required for purpose {self.purpose.value}")
        elif not (self.justification or "").strip():
            raise ValueError(f"justification: required for purpose {self.purpose.value}")

    @classmethod
    def parse_purpose(cls, text: str) -> Purpose:
        """A purpose from its code; ValueError listing the codes for anything else."""
        try:
            return Purpose(text.strip().lower())
        except ValueError:
            codes = ", ".join(p.value for p in Purpose)
            raise ValueError(f"purpose: unknown {text!r}; one of {codes}") from None
