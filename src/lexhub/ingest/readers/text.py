"""Byte-level checks shared by the text formats: binary, encoding, empty, over-long lines.

A file that is not text at all must give one clear error naming where it went wrong, not a
traceback and not a million per-record errors. Lines are read with a size cap, so a 2 GB
file without a newline is refused after reading `limit` bytes, never loaded whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lexhub.errors import InputError

__all__ = ["DEFAULT_LINE_LIMIT", "check_text_file", "text_lines"]

DEFAULT_LINE_LIMIT = 1 << 20  # 1 MiB: far above any real record, far below memory trouble

_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def check_text_file(path: Path, name: str, kind: str) -> None:
    """Refuse, before anything is yielded, a file that is missing, empty, binary or UTF-16/32.

    Raises InputError naming the file (and the byte offset of the first NUL byte).
    """
    try:
        with open(path, "rb") as f:
            head = f.read(8192)
    except OSError as e:
        raise InputError(name, None, None, f"cannot be read: {e.strerror}") from None
    if not head.strip():
        raise InputError(name, None, None, "the file is empty")
    for bom, encoding in _BOMS.items():
        if head.startswith(bom):
            raise InputError(name, None, None, f"is {encoding} text; {kind} must be UTF-8")
    nul = head.find(b"\x00")
    if nul >= 0:
        raise InputError(
            name, None, None, f"is a binary file (NUL byte at offset {nul}), not {kind}"
        )


def text_lines(
    path: Path, name: str, kind: str, limit: int = DEFAULT_LINE_LIMIT
) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) for each line, newline kept, a leading UTF-8 BOM dropped.

    Raises InputError for a line over `limit` bytes (after reading at most limit+1 of it),
    a NUL byte, or bytes that are not UTF-8 (with line, column and byte offset).
    """
    offset = 0
    with open(path, "rb") as f:
        number = 0
        while raw := f.readline(limit + 1):
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                raise InputError(
                    name, number, None, f"line is longer than {limit} bytes; not a {kind} file?"
                )
            if b"\x00" in raw:
                at = offset + raw.index(b"\x00")
                raise InputError(
                    name, number, None, f"is a binary file (NUL byte at offset {at}), not {kind}"
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                bad = raw[e.start]
                column = len(raw[: e.start].decode("utf-8", "replace")) + 1
                raise InputError(
                    name,
                    number,
                    None,
                    f"not UTF-8: byte 0x{bad:02x} at column {column} (byte offset "
                    f"{offset + e.start}); re-export the file as UTF-8",
                ) from None
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            offset += len(raw)
            yield number, text
