"""Normalization: names, dates of birth, phones, addresses, marks, plates, search keys.

Every normalizer is a pure function of what the agency wrote, idempotent, and never raises
on content (the parsers that do raise, `parse_name`, `parse_dob`, `parse_smt_code`, are for
validation at ingest and say what is wrong). Repeated strings are parsed once: bounded
caches sit in front of the expensive parsers; `cache_stats` says how much they saved.
Rules and key kinds: docs/normalization.md; the SMT table: docs/smt-codes.md.
"""

from __future__ import annotations

from lexhub.normalize.addresses import normalize_address, street_key
from lexhub.normalize.caches import cache_stats, clear_caches
from lexhub.normalize.dates import parse_dob
from lexhub.normalize.keys import KEY_KINDS, index_record, name_keys
from lexhub.normalize.marks import normalize_mark, parse_smt_code, smt_table
from lexhub.normalize.marktext import mark_from_text
from lexhub.normalize.names import (
    compact,
    fold,
    name_text,
    nickname_forms,
    nickname_group,
    parse_name,
    phonetic_keys,
    surname_parts,
)
from lexhub.normalize.phones import normalize_phone, phone_keys
from lexhub.normalize.plates import normalize_plate, plate_key, plate_lookup
from lexhub.normalize.record import normalize_record

__all__ = [
    "KEY_KINDS",
    "cache_stats",
    "clear_caches",
    "compact",
    "fold",
    "index_record",
    "mark_from_text",
    "name_keys",
    "name_text",
    "nickname_forms",
    "nickname_group",
    "normalize_address",
    "normalize_mark",
    "normalize_phone",
    "normalize_plate",
    "normalize_record",
    "parse_dob",
    "parse_name",
    "parse_smt_code",
    "phone_keys",
    "phonetic_keys",
    "plate_key",
    "plate_lookup",
    "smt_table",
    "street_key",
    "surname_parts",
]
