"""The entity screen: one person across agencies as the user may see it, from a search hit.

The page shows the entity's records (owner, type, date, the match weight that tied each
in), its associates with the records that connect them, a small network drawn on the
server (`charts.network_chart`, with a table of the same numbers), and, for two members
scored as a pair, the waterfall of their match weight (`charts.waterfall_chart` beside a
table). Each page is one audited request of `lexhub.access.entity` (the API's), under the
purpose and case the search stated (the hit's link carries them), committed before the
page is sent; a mention the user may not see answers as an unknown one.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lexhub.access.entity import audited_associates, audited_evidence
from lexhub.errors import LexhubError
from lexhub.linkage.associates import Associates, Member
from lexhub.service.auth import Gate
from lexhub.service.console.charts import Bar, network_chart, waterfall_chart
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import SEARCH

__all__ = ["entity_router"]

KINDS = {"record": "in the same record", "phone": "same phone", "address": "same address",
         "vehicle": "same vehicle (plate)"}  # fmt: skip


def _kept(purpose: str, case_number: str | None, justification: str | None) -> dict[str, str]:
    given = {"purpose": purpose, "case_number": case_number, "justification": justification}
    return {k: v for k, v in given.items() if v}


def _where(m: Member) -> str:
    return f"{m.owner}/{m.source_id}"


def _associates(answer: Associates) -> list[dict[str, Any]]:
    """Each associate with its connections in words, records named owner/source id."""
    records = {m.record_id: m for m in answer.members}
    for a in answer.associates:
        records.update((m.record_id, m) for m in a.members)
    out = []
    for a in answer.associates:
        ties = []
        for c in a.connections:
            ours, theirs = records[c.entity_record], records[c.associate_record]
            ties.append({"kind": KINDS[c.kind], "key": c.key, "ours": ours,
                         "theirs": None if theirs is ours else theirs})  # fmt: skip
        out.append({"name": a.name, "strength": a.strength, "members": a.members, "ties": ties})
    return out


def entity_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    user_dep = console.signed_in(SEARCH)

    def context_of(user: ConsoleUser, purpose: str, case: str | None, why: str | None) -> Any:
        """The request context the search stated (the link carries it), acting as a
        searcher."""
        return Gate.context(user.principal, purpose, console.acting_role(user, SEARCH),
                            case or None, why or None)  # fmt: skip

    @router.get("/entity/{mention_id}")
    def entity_page(
        request: Request, mention_id: int, user: Annotated[ConsoleUser, Depends(user_dep)],
        purpose: str = "", case_number: str | None = None, justification: str | None = None,
    ) -> Response:  # fmt: skip
        try:
            ctx = context_of(user, purpose, case_number, justification)
            with console.opener() as store:
                answer = audited_associates(store, ctx, mention_id, today=console.now().date())
        except LexhubError as e:
            return console.error_page(request, user, e)
        by_id = {m.mention_id: m for m in answer.members}
        pairs = [(by_id[k.left], by_id[k.right], k.weight) for k in answer.entity.links]
        shown = answer.associates[:12]
        network = network_chart(
            f"Network of {answer.members[0].name}: {len(shown)} strongest associates",
            answer.members[0].name,
            [Bar(a.name, a.strength, str(a.strength)) for a in shown],
        )
        return console.render(
            request, "entity.html", user, mention_id=mention_id, answer=answer,
            members=answer.members, pairs=pairs, associates=_associates(answer),
            network=network, context=ctx, kept=_kept(purpose, case_number, justification),
        )  # fmt: skip

    @router.get("/entity/{mention_id}/evidence")
    def evidence_page(
        request: Request, mention_id: int, user: Annotated[ConsoleUser, Depends(user_dep)],
        other: int = 0, left: int | None = None, purpose: str = "",
        case_number: str | None = None, justification: str | None = None,
    ) -> Response:  # fmt: skip
        try:
            ctx = context_of(user, purpose, case_number, justification)
            with console.opener() as store:
                pair = audited_evidence(store, ctx, left or mention_id, other,
                                        today=console.now().date())  # fmt: skip
        except LexhubError as e:
            return console.error_page(request, user, e)
        ev = pair.evidence
        rows = [("prior (two mentions at random)", ev.prior)]
        rows += [(f"{s.comparison}: {s.level}", s.weight) for s in ev.steps]
        if abs(ev.adjustment) >= 0.005:
            rows.append(("name frequency adjustment", ev.adjustment))
        chart = waterfall_chart(
            f"Match weight of mentions {ev.left} and {ev.right}: {ev.weight:+.2f} against"
            f" the threshold {ev.threshold:+.2f}",
            [Bar(label, value, f"{value:+.2f}") for label, value in rows],
            ev.threshold,
        )
        return console.render(
            request, "entity_evidence.html", user, mention_id=mention_id, pair=pair, ev=ev,
            rows=rows, chart=chart, context=ctx,
            kept=_kept(purpose, case_number, justification),
        )  # fmt: skip

    return router
