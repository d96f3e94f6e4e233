"""One of the concurrent writers of test_concurrency: appends N entries, one transaction
each, to the database at URL, naming itself in every entry."""

from __future__ import annotations

import sys

from lexhub.audit import record_event
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.store import open_store


def main(url: str, writer: str, n: int) -> None:
    with open_store(url) as store:
        for i in range(n):
            record_event(
                store,
                AuditEvent(AuditKind.LOGIN, actor=f"writer-{writer}", details={"i": i}),
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
