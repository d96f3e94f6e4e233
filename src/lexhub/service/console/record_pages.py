"""The record screen: every field the requester may see of one record, and each withheld
field shown as withheld, with the agreement (grant) that withholds it.

The retrieval is `lexhub.access.audited_record`, the API's: its own audit entry, committed
before the page is sent, under the purpose and case the search stated (the hit's link
carries them). A record the user may not see answers as an unknown one.

Each person shown links to the entity screen of that mention, carrying the same purpose
and case, as a search hit does. The ids come from `audited_record(with_mentions=True)`,
which reads them under the grant that shows the record: a withheld person has no id there,
so no link, and the entity screen checks scope and audits on its own.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lexhub.access import audited_record
from lexhub.access.record import PERSON_PARTS, RECORD_PARTS, WithheldField
from lexhub.errors import LexhubError
from lexhub.service.auth import Gate
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import SEARCH

__all__ = ["record_router"]

# Labels of the withholdable fields, in the order the page shows them.
LABELS = {
    "record.narrative": "Narrative", "record.locations": "Locations",
    "record.vehicles": "Vehicles", "record.phones": "Phones", "record.offenses": "Offenses",
    "person.name": "Name", "person.aliases": "Aliases and monikers",
    "person.dob": "Date of birth", "person.descriptors": "Descriptors",
    "person.marks": "Scars, marks, tattoos", "person.phones": "Phones",
    "person.addresses": "Addresses", "person.identifiers": "Identifiers",
}  # fmt: skip


def _sections(
    data: dict[str, Any], parts: dict[str, tuple[str, ...]], withheld: dict[str, str | None]
) -> list[dict[str, Any]]:
    """Each withholdable field of `data` in order: its label, its values (keys of the
    view) or, when withheld, the grant that withheld it. Absent and empty fields skipped."""
    out: list[dict[str, Any]] = []
    for name, keys in parts.items():
        if name in withheld:
            out.append({"label": LABELS[name], "withheld": True, "by": withheld[name]})
            continue
        values = {k: data[k] for k in keys if data.get(k) not in (None, "", [], {})}
        if values:
            out.append({"label": LABELS[name], "withheld": False, "values": values})
    return out


def record_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    user_dep = console.signed_in(SEARCH)

    @router.get("/record/{owner}/{source_id:path}")
    def record_page(
        request: Request, owner: str, source_id: str,
        user: Annotated[ConsoleUser, Depends(user_dep)],
        purpose: str = "", case_number: str | None = None, justification: str | None = None,
    ) -> Response:  # fmt: skip
        try:
            ctx = Gate.context(user.principal, purpose, console.acting_role(user, SEARCH),
                               case_number or None, justification or None)  # fmt: skip
            with console.opener() as store:
                view = audited_record(store, ctx, owner, source_id,
                                      today=console.now().date(), with_mentions=True)  # fmt: skip
        except LexhubError as e:
            return console.error_page(request, user, e)
        record_withheld = {w.field: w.by for w in view.withheld if w.person is None}
        persons = []
        mentions = view.mention_ids or (None,) * len(view.record.get("persons", []))
        for i, (person, mention) in enumerate(
            zip(view.record.get("persons", []), mentions, strict=True)
        ):
            hidden = {w.field: w.by for w in view.withheld if w.person == i}
            persons.append({"role": person.get("role"), "mention_id": mention,
                            "sections": _sections(person, PERSON_PARTS, hidden)})  # fmt: skip
        given = {"purpose": purpose, "case_number": case_number, "justification": justification}
        return console.render(
            request, "record.html", user, view=view, persons=persons,
            kept={k: v for k, v in given.items() if v},
            sections=_sections(view.record, RECORD_PARTS, record_withheld),
            withheld=[_described(w) for w in view.withheld], context=ctx,
        )  # fmt: skip

    return router


def _described(w: WithheldField) -> dict[str, Any]:
    where = "record" if w.person is None else f"person {w.person + 1}"
    return {"where": where, "field": LABELS.get(w.field, w.field), "by": w.by}
