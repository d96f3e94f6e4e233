"""Child process for the crash test: loads batch files in order, announcing progress.

Prints (flushed, one per line): `PROGRESS n` after each chunk, `COMMIT-BEGIN` / `COMMIT-END`
around every transaction commit (observed with sys.setprofile, nothing patched), and
`DONE <file>` once load_file has returned, i.e. once the batch is acknowledged.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

from lexhub.ingest.load import load_file
from lexhub.store import open_store


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _watch_commits(frame: FrameType, event: str, arg: Any) -> None:
    if frame.f_code.co_name == "commit" and "lexhub/store" in frame.f_code.co_filename:
        if event == "call":
            _say("COMMIT-BEGIN")
        elif event == "return":
            _say("COMMIT-END")


def main() -> None:
    url, *files = sys.argv[1:]
    with open_store(url) as store:
        sys.setprofile(_watch_commits)
        for name in files:
            load_file(store, Path(name), progress=lambda read, errors: _say(f"PROGRESS {read}"))
            _say(f"DONE {name}")
        sys.setprofile(None)


if __name__ == "__main__":
    main()
