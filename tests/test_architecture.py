"""Dependencies point inward (STYLE.md): this walks every import and fails on a wrong arrow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "lexhub"

ENGINES = {"sqlite3", "psycopg", "psycopg_pool", "duckdb"}
FRAMEWORKS = {"fastapi", "starlette", "uvicorn", "typer", "click", "jinja2", "rich"}
CORE = {
    "access",
    "ingest",
    "search",
    "policy",
    "audit",
    "identity",
    "linkage",
    "federation",
    "synth",
}

# package -> lexhub packages it must never import
FORBIDDEN_INTERNAL = {
    "model": {
        "normalize",
        "store",
        "ingest",
        "search",
        "policy",
        "audit",
        "identity",
        "access",
        "linkage",
        "federation",
        "synth",
        "service",
        "cli",
        "config",
    },
    "normalize": {
        "store",
        "ingest",
        "search",
        "policy",
        "audit",
        "identity",
        "access",
        "linkage",
        "federation",
        "synth",
        "service",
        "cli",
    },
    "store": {
        "normalize",
        "ingest",
        "search",
        "policy",
        "audit",
        "identity",
        "access",
        "linkage",
        "federation",
        "synth",
        "service",
        "cli",
    },
    "synth": {"search", "policy", "audit", "identity", "access", "store", "service", "cli"},
    **{core: {"service", "cli"} for core in CORE - {"synth"}},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_inward(path: Path) -> None:
    parts = path.relative_to(SRC).parts
    package = parts[0] if len(parts) > 1 else path.stem
    problems = []
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "lexhub":
            inner = name.split(".")[1] if "." in name else ""
            if inner in FORBIDDEN_INTERNAL.get(package, set()):
                problems.append(f"{package} imports {name}")
            # Outside store/, the store is reached only through its interface.
            if package != "store" and name.startswith(
                ("lexhub.store.sqlite", "lexhub.store.postgres")
            ):
                problems.append(f"{package} imports engine module {name}")
        elif top in ENGINES and package != "store" and package != "linkage":
            problems.append(f"{package} imports database driver {name}")
        elif top in FRAMEWORKS and package not in {"cli", "service"}:
            problems.append(f"{package} imports framework {name}")
    assert problems == []


def test_the_walk_sees_the_packages() -> None:
    # Guards the test above against silently walking nothing.
    packages = {
        p.relative_to(SRC).parts[0] for p in _modules() if len(p.relative_to(SRC).parts) > 1
    }
    assert {"model", "store", "ingest", "cli"} <= packages
