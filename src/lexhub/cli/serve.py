"""`lexhub serve`: the node's HTTP API and federation endpoints under uvicorn."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lexhub.cli.output import console, opened_store, state
from lexhub.errors import InputError
from lexhub.federation import ensure_node_key
from lexhub.service.limits import DEFAULT_BURST, DEFAULT_RATE, RefusalLimit, TokenBuckets

if TYPE_CHECKING:
    from fastapi import FastAPI

# With --workers, uvicorn starts each worker from an import string, so the worker builds its
# own app from what `serve` was given, passed in this environment variable.
WORKER_CONFIG = "LEXHUB_SERVE_WORKER_CONFIG"


def build_app(config: dict[str, Any]) -> FastAPI:
    """The node's app: API, federation router, one refusal limit shared by both."""
    from lexhub.service.app import create_app
    from lexhub.service.federation_api import federation_router

    identity = ensure_node_key(config["key_dir"], config["node"])
    refusals = RefusalLimit()  # one per app: /metrics counts both areas' unaudited refusals
    return create_app(
        config["db"], node=identity,
        routers=[federation_router(config["db"], identity, refusals=refusals)],
        limits=TokenBuckets(config["rate"], config["burst"]), region=config["region"],
        refusals=refusals,
    )  # fmt: skip


def worker_app() -> FastAPI:
    """uvicorn's factory in each worker process (--workers above 1)."""
    return build_app(json.loads(os.environ[WORKER_CONFIG]))


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    node: Annotated[
        str | None, typer.Option(help="This node's federation name (first run: the host name).")
    ] = None,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="PEM certificate chain: serve HTTPS.")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert.")
    ] = None,
    rate: Annotated[
        float, typer.Option(help="Requests a second each API token may make, on average.")
    ] = DEFAULT_RATE,
    burst: Annotated[
        int, typer.Option(help="Requests a token may make at once before --rate applies.")
    ] = DEFAULT_BURST,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes. Each holds its own rate limits (so a token may "
            "make --rate requests a second in each); SQLite readers run at once, "
            "audit writes take turns."
        ),
    ] = 1,
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /openapi.json), /healthz, /readyz and the
    federation endpoints (/federation/v1) of this node."""
    import uvicorn  # the web stack loads only for this command

    if (tls_cert is None) != (tls_key is None):
        raise InputError("--tls-cert", None, None, "give --tls-cert and --tls-key together")
    settings = state(ctx).settings
    with opened_store(ctx):  # an initialized database, or the usual one-line error
        pass
    identity = ensure_node_key(settings.key_dir, node)
    if rate <= 0 or burst < 1:
        raise InputError("--rate", None, None, "a rate above 0 and a burst of at least 1")
    if workers < 1:
        raise InputError("--workers", None, None, "at least 1 worker")
    config = {"db": settings.db, "key_dir": str(settings.key_dir), "node": identity.name,
              "rate": rate, "burst": burst, "region": settings.default_phone_region}  # fmt: skip
    scheme = "https" if tls_cert else "http"
    console.print(f"node {identity.name}: {scheme}://{host}:{port}  (API docs at /docs)")
    common: dict[str, Any] = dict(
        host=host, port=port, log_level="info", server_header=False,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )  # fmt: skip
    if workers == 1:
        uvicorn.run(build_app(config), **common)
        return
    os.environ[WORKER_CONFIG] = json.dumps(config)  # read by worker_app in each worker
    uvicorn.run("lexhub.cli.serve:worker_app", factory=True, workers=workers, **common)
