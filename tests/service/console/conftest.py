"""A console node for the tests: records of two owners, an agreement that withholds the
people's phones, users of each role with passwords and enrolled TOTP, and a clock the
tests move (the session lock is tested by advancing it, never by sleeping)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lexhub import identity
from lexhub.identity import Argon2Params, IdentitySettings
from lexhub.identity.totp import code_at
from lexhub.model import UserRole
from lexhub.policy import parse_policies
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.search.conftest import AGENCIES, INC, A, B, C, load_corpus, person, record

PASSWORD = "correct horse battery"
POLICY = f"""
id: a-to-c-2026
owner: {A}
grantees: [{C}]
purposes: [criminal-investigation]
record_types: [incident]
max_sensitivity: standard
withhold: [person.phones]
valid_from: 2000-01-01
valid_to: 2099-12-31
"""
RECORDS = (
    record("A-1", person("Okafor", "Chidi", "1985-04-02", phones=("206-555-0143",)),
           owner=A, type=INC, narrative="Bicycle taken from the rack at the library."),
    record("B-1", person("Okafor", "Chidi", "1985-04-02"), owner=B, type=INC),  # no grant
)  # fmt: skip
USERS = {  # username: (agency, role, oversight)
    "det.c": (C, UserRole.INVESTIGATOR, False),
    "records.a": (A, UserRole.RECORDS_ADMIN, False),
    "auditor.c": (C, UserRole.AUDITOR, False),
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class ConsoleNode:
    store: Store
    clock: Clock
    seeds: dict[str, str]
    app: FastAPI = field(repr=False)

    def code(self, username: str) -> str:
        return code_at(self.seeds[username], self.clock())


def make_node(store: Store, tmp_path: Path, **app_kw: Any) -> ConsoleNode:
    load_corpus(store, tmp_path, RECORDS)
    docs = parse_policies(POLICY, "p.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    store.apply_policies(docs, by="test")
    clock = Clock()
    # Cheap hashes to set up quickly; the node rehashes them at login with its own cost.
    settings = IdentitySettings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1))
    seeds = {}
    for name, (agency, role, oversight) in USERS.items():
        identity.add_user(store, settings, name, agency, [role], now=clock(),
                          oversight=oversight, password=PASSWORD, actor="t")  # fmt: skip
        seeds[name] = identity.enrol_totp(store, settings, name, now=clock()).seed
    identity.add_user(store, settings, "new.c", C, [UserRole.INVESTIGATOR], now=clock(),
                      password=PASSWORD, actor="t")  # fmt: skip
    return ConsoleNode(store, clock, seeds, create_app(store.url, now=clock, **app_kw))


class Browser:
    """A cookie-keeping client of the app over ASGI (no redirects followed: the tests
    look at them)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.cookies = httpx.Cookies()

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://node.test", cookies=self.cookies
            ) as c:
                response = await c.request(method, url, **kw)
                self.cookies = c.cookies
                return response

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, data: dict[str, str], *, csrf_from: str | None = None,
             **kw: Any) -> httpx.Response:  # fmt: skip
        """POST a form, with the CSRF token of the page at `csrf_from` (default: `url`)."""
        page = self.get(csrf_from or url)
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        token = found.group(1) if found else ""
        return self.request("POST", url, data={"csrf_token": token, **data}, **kw)

    def login(self, node: ConsoleNode, username: str) -> httpx.Response:
        return self.post("/login", {"username": username, "password": PASSWORD,
                                    "code": node.code(username)})  # fmt: skip


@pytest.fixture
def node(store: Store, tmp_path: Path) -> ConsoleNode:
    return make_node(store, tmp_path)


@pytest.fixture
def browser(node: ConsoleNode) -> Browser:
    return Browser(node.app)
