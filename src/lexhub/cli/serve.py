"""`lexhub serve`: the node's HTTP API and federation endpoints under uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lexhub.cli.output import console, opened_store, state
from lexhub.errors import InputError
from lexhub.federation import ensure_node_key
from lexhub.service.limits import DEFAULT_BURST, DEFAULT_RATE, TokenBuckets


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
) -> None:
    """Serve the JSON API (/api/v1, OpenAPI at /openapi.json), /healthz, /readyz and the
    federation endpoints (/federation/v1) of this node."""
    import uvicorn  # the web stack loads only for this command

    from lexhub.service.app import create_app
    from lexhub.service.federation_api import federation_router

    if (tls_cert is None) != (tls_key is None):
        raise InputError("--tls-cert", None, None, "give --tls-cert and --tls-key together")
    settings = state(ctx).settings
    with opened_store(ctx):  # an initialized database, or the usual one-line error
        pass
    identity = ensure_node_key(settings.key_dir, node)
    if rate <= 0 or burst < 1:
        raise InputError("--rate", None, None, "a rate above 0 and a burst of at least 1")
    app = create_app(
        settings.db, node=identity, routers=[federation_router(settings.db, identity)],
        limits=TokenBuckets(rate, burst), region=settings.default_phone_region,
    )  # fmt: skip
    scheme = "https" if tls_cert else "http"
    console.print(f"node {identity.name}: {scheme}://{host}:{port}  (API docs at /docs)")
    uvicorn.run(
        app, host=host, port=port, log_level="info", server_header=False,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )  # fmt: skip
