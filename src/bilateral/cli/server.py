"""Commands that keep a store live: the web server, its API tokens, and a watched folder."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from bilateral.cli.shared import (
    DbOption,
    DossierOption,
    JsonOption,
    app,
    err,
    out,
    print_rejections,
)
from bilateral.limits import printable

token_app = typer.Typer(help="API tokens: who may ingest through a server's API.\n\n"
                             "Example: bilateral token add ingest-bot", no_args_is_help=True)
app.add_typer(token_app, name="token")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for every "
                                           "interface (behind a reverse proxy).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes; more than one for a team server on "
                            "PostgreSQL.")] = 1,
    dossier: DossierOption = "us-japan",
    cors_origin: Annotated[list[str] | None, typer.Option(
        help="Allow browser pages from this origin to call the API (repeatable); none by "
             "default.")] = None,
    max_upload_bytes: Annotated[int, typer.Option(
        min=1, help="Largest request body, e.g. an uploaded file.")] = 5_000_000,
    rate_limit: Annotated[int, typer.Option(
        min=0, help="Requests a minute per client address and worker; 0 for none.")] = 600,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="Addresses of a reverse proxy whose X-Forwarded-For to trust, e.g. 127.0.0.1.",
    )] = None,
    answers_max_age: Annotated[float, typer.Option(
        min=0, help="How often, in seconds, to check whether the store changed; the "
                    "indicators, disputes, timeline and index are then redone in the "
                    "background.",
    )] = 5.0,
) -> None:
    """Start the web dashboard and REST API over the store.

    Reads are open; ingest through the API needs a token from 'bilateral token add'. The
    OpenAPI document is at /api/openapi.json.

    Example: bilateral serve --db postgresql://team@db/bilateral --host 0.0.0.0 --workers 4
    """
    from bilateral.extras import require

    require("web", "bilateral serve")
    import uvicorn

    from bilateral.dossier import load_dossier
    from bilateral.serve.settings import ServeSettings
    from bilateral.store import open_store

    settings = ServeSettings(db=db, dossier=dossier, cors_origins=tuple(cors_origin or ()),
                             max_upload_bytes=max_upload_bytes, rate_limit=rate_limit,
                             answers_max_age=answers_max_age)
    load_dossier(settings.dossier)  # a bad dossier or store fails here, not in every worker
    store = open_store(settings.db)
    if workers > 1 and store.dialect == "sqlite":
        err.print("[yellow]Note:[/] several workers on SQLite share one file; writes wait for "
                  "each other. PostgreSQL suits a team server better.")
    store.close()
    os.environ.update(settings.to_env())
    out.print(f"Serving {escape(store.url)} at http://{host}:{port}/ "
              f"({workers} worker{'s' if workers > 1 else ''}); Ctrl-C stops.")
    uvicorn.run("bilateral.serve.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, proxy_headers=forwarded_allow_ips is not None,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False,
                log_level="info")


@token_app.command("add")
def token_add(
    name: Annotated[str, typer.Argument(help="Who or what will use it, e.g. ingest-bot.")],
    db: DbOption = None,
) -> None:
    """Make an API token and print it once; the store keeps only its SHA-256.

    Example: bilateral token add ingest-bot --db postgresql://team@db/bilateral
    """
    from bilateral.store import open_store

    token = open_store(db).add_token(name)
    err.print(f"API token for {escape(name)} (shown once; send it as "
              f"'Authorization: Bearer <token>'):")
    print(token)


@token_app.command("list")
def token_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the API tokens by name and date (the tokens themselves are not kept).

    Example: bilateral token list
    """
    from bilateral.store import open_store

    tokens = open_store(db, create=False).tokens()
    if as_json:
        print(json.dumps([{"name": n, "created_at": c.isoformat()} for n, c in tokens],
                         indent=2))
        return
    table = Table(title=f"API tokens ({len(tokens)})")
    table.add_column("name")
    table.add_column("created")
    for name, created in tokens:
        table.add_row(name, f"{created:%Y-%m-%d %H:%M}")
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="The name the token was made for.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token; it stops working at once, on every worker.

    Example: bilateral token revoke ingest-bot
    """
    from bilateral.errors import InputError
    from bilateral.store import open_store

    if not open_store(db, create=False).revoke_token(name):
        raise InputError(f"no API token named {name!r}; see bilateral token list")
    out.print(f"Revoked the API token {escape(name)}.")


@app.command()
def watch(
    folder: Annotated[Path, typer.Argument(help="The folder to watch (and its subfolders).")],
    interval: Annotated[float, typer.Option(
        min=0.1, help="Seconds between scans; a file is ingested once it is unchanged for "
                      "one scan.")] = 2.0,
    once: Annotated[bool, typer.Option(
        "--once", help="Ingest what is there now and stop.")] = False,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
) -> None:
    """Ingest files dropped into a folder as they arrive; a running server shows them.

    Example: bilateral watch inbox/ --db postgresql://team@db/bilateral
    """
    from bilateral.dossier import load_dossier
    from bilateral.ingest.watch import watch as run_watch
    from bilateral.store import open_store

    store = open_store(db)

    def report(paths: list[Path], result) -> None:
        names = ", ".join(p.name for p in paths[:3]) + (f" and {len(paths) - 3} more"
                                                        if len(paths) > 3 else "")
        out.print(f"{time.strftime('%H:%M:%S')} {escape(printable(names))}: documents new "
                  f"{result.documents_new}, already stored {result.documents_existing}; "
                  f"observations {result.observations}, events {result.events}")
        print_rejections(result.rejections)

    stop = threading.Event()
    if not once:
        # Ctrl-C or a service manager's SIGTERM: finish the ingest under way, then stop.
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop_signal, lambda *_: stop.set())
        out.print(f"Watching {escape(str(folder))} every {interval:g} s into "
                  f"{escape(store.url)}; Ctrl-C stops.")
    count = run_watch(folder, store, load_dossier(dossier), interval=interval, once=once,
                      stop=stop, on_ingest=report)
    out.print(f"Ingested {count} file{'s' if count != 1 else ''}."
              + ("" if once else " Stopped."))
