"""TOTP codes, enrolment output and sealed seeds (no database needed)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from lexhub.errors import AccessDenied, InputError
from lexhub.identity.sealing import SealingKey, open_seed, seal_seed
from lexhub.identity.totp import code_at, match_step, new_seed, provisioning_uri, qr_svg, qr_text
from tests.identity.conftest import T0


def test_a_code_matches_its_step_and_one_step_either_side_only() -> None:
    seed = new_seed()
    step = int(T0.timestamp()) // 30
    for delta, expected in [(-60, None), (-30, step - 1), (0, step), (30, step + 1), (60, None)]:
        code = code_at(seed, T0 + timedelta(seconds=delta))
        assert match_step(seed, code, T0, None) == expected


def test_used_steps_are_skipped() -> None:
    seed = new_seed()
    code = code_at(seed, T0)
    step = match_step(seed, code, T0, None)
    assert step is not None
    assert match_step(seed, code, T0, step) is None
    assert match_step(seed, code, T0, step - 1) == step


def test_a_wrong_or_malformed_code_matches_nothing() -> None:
    seed = new_seed()
    good = code_at(seed, T0)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for code in (wrong, "", "12345", "abcdef", "1234567", "١٢٣٤٥٦"):
        assert match_step(seed, code, T0, None) is None
    assert match_step(seed, f" {good[:3]} {good[3:]} ", T0, None) is not None


def test_enrolment_uri_and_qr_codes() -> None:
    seed = new_seed()
    uri = provisioning_uri(seed, "alice", "lexhub Example Region")
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert query["secret"] == [seed] and query["issuer"] == ["lexhub Example Region"]
    assert "alice" in parts.path
    assert qr_svg(uri).lstrip().startswith("<?xml") and "<svg" in qr_svg(uri)
    text = qr_text(uri)
    assert len(text.splitlines()) > 20 and "█" in text


def test_a_sealed_seed_opens_only_with_its_key_and_username() -> None:
    key, other = SealingKey.generate(), SealingKey.generate()
    seed = new_seed()
    sealed = seal_seed(seed, "alice", key)
    assert seed not in sealed and sealed.startswith("aesgcm1:")
    assert seal_seed(seed, "alice", key) != sealed  # a fresh nonce each time
    assert open_seed(sealed, "alice", key) == seed
    for username, k in [("bob", key), ("alice", other), ("alice", None)]:
        with pytest.raises(AccessDenied):
            open_seed(sealed, username, k)


def test_without_a_key_the_seed_is_stored_marked_plain() -> None:
    seed = new_seed()
    assert seal_seed(seed, "alice", None) == "plain:" + seed
    assert open_seed("plain:" + seed, "alice", SealingKey.generate()) == seed


def test_key_file_is_owner_only_never_overwritten_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "totp.key"
    key = SealingKey.generate()
    key.write(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert SealingKey.load(path) == key
    with pytest.raises(InputError, match="cannot create"):
        SealingKey.generate().write(path)
    os.chmod(path, 0o644)
    with pytest.raises(InputError, match="readable by others"):
        SealingKey.load(path)
    bad = tmp_path / "bad.key"
    bad.write_text("not base64 at all!\n")
    os.chmod(bad, 0o600)
    with pytest.raises(InputError, match="not a lexhub sealing key"):
        SealingKey.load(bad)
