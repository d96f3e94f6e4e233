"""How much the normalizers' caches saved: the share of strings that had to be parsed.

The expensive parsers (usaddress, phonenumbers, the name and mark rules) sit behind bounded
`lru_cache`s. A cache miss is a string parsed; a hit is a parse saved. `parsed_share` is
texts parsed over texts normalized for the two costly parsers (addresses and phones), the
figure the ingest benchmark prints; `usaddress_calls` counts the addresses that the rule
parser for plain forms (`streetline`) left to usaddress; the per-cache figures are there too.
"""

from __future__ import annotations

from typing import Any, Protocol

from lexhub.normalize import addresses, keys, marktext, names, phones, record

__all__ = ["cache_stats", "clear_caches"]


class _Cached(Protocol):
    def cache_info(self) -> Any: ...

    def cache_clear(self) -> None: ...


_CACHES: dict[str, _Cached] = {
    "address_texts": addresses._by_text,
    "address_parses": addresses._analyse,
    "phone_texts": phones._parse,
    "names_parsed": names.parse_name,
    "phonetic": names.phonetic_keys,
    "nicknames": names.nickname_group,
    "surname_parts": names._surname_parts,
    "name_keys": keys._name_keys_of,
    "dob_keys": keys._dob_keys,
    "mark_keys": keys._mark_keys,
    "phone_keys": keys._phone_keys,
    "address_keys": keys._address_keys,
    "marks": record._mark,
    "mark_texts": marktext.mark_from_text,
}


def cache_stats() -> dict[str, Any]:
    """Per cache: calls, parsed (misses), size and maximum size; and `parsed_share`, the
    share of address and phone texts that were actually parsed (None before any call)."""
    out: dict[str, Any] = {}
    for name, fn in _CACHES.items():
        info = fn.cache_info()
        out[name] = {
            "calls": info.hits + info.misses,
            "parsed": info.misses,
            "size": info.currsize,
            "maxsize": info.maxsize,
        }
    # A text is parsed only when every cache in front of its parser missed.
    out["addresses"] = {"calls": addresses.CALLS[0]}
    out["phones"] = {"calls": phones.CALLS[0]}
    calls = addresses.CALLS[0] + phones.CALLS[0]
    parsed = out["address_parses"]["parsed"] + out["phone_texts"]["parsed"]
    out["parsed_share"] = parsed / calls if calls else None
    out["usaddress_calls"] = addresses.USADDRESS_CALLS[0]
    return out


def clear_caches() -> None:
    """Empty every cache (benchmarks and tests that measure hit rates start from zero)."""
    for fn in _CACHES.values():
        fn.cache_clear()
    addresses.USADDRESS_CALLS[0] = addresses.CALLS[0] = phones.CALLS[0] = 0
