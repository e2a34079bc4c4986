"""Commands that keep a store live: the web server, its API tokens, and a watched folder."""

from __future__ import annotations

import json
import multiprocessing
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
    EXIT_PARTIAL,
    DbOption,
    DossierOption,
    JsonOption,
    app,
    err,
    keep_answers,
    out,
    print_rejections,
)
from bilateral.ingest.fetch import FeedPolicy
from bilateral.limits import printable

FeedDefaults = FeedPolicy()  # the defaults the --feed options show

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
    refresh_every: Annotated[float, typer.Option(
        min=0.1, help="How often, in seconds, the server's refresher looks for new writes; "
                      "the indicators, disputes, timeline and index they change are then "
                      "redone and kept in the store for every worker.",
    )] = 2.0,
    cache_mb: Annotated[int, typer.Option(
        min=0, help="Megabytes of API answers each worker keeps until the store changes "
                    "(sent again with an ETag); 0 for none.")] = 64,
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
    from bilateral.serve.refresher import run_refresher
    from bilateral.serve.settings import ServeSettings
    from bilateral.store import open_store

    settings = ServeSettings(db=db, dossier=dossier, cors_origins=tuple(cors_origin or ()),
                             max_upload_bytes=max_upload_bytes, rate_limit=rate_limit,
                             refresh_every=refresh_every, refresh_after_ingest=False,
                             cache_bytes=cache_mb * 2**20)
    load_dossier(settings.dossier)  # a bad dossier or store fails here, not in every worker
    store = open_store(settings.db)
    if workers > 1 and store.dialect == "sqlite":
        err.print("[yellow]Note:[/] several workers on SQLite share one file; writes wait for "
                  "each other. PostgreSQL suits a team server better.")
    store.close()
    os.environ.update(settings.to_env())
    out.print(f"Serving {escape(store.url)} at http://{host}:{port}/ "
              f"({workers} worker{'s' if workers > 1 else ''}); Ctrl-C stops.")
    # one process keeps the answers for every worker (bilateral.serve.refresher)
    refresher = multiprocessing.get_context("spawn").Process(
        target=run_refresher, args=(settings,), name="bilateral-refresher", daemon=True)
    refresher.start()
    try:
        uvicorn.run("bilateral.serve.app:app_from_env", factory=True, host=host, port=port,
                    workers=workers, proxy_headers=forwarded_allow_ips is not None,
                    forwarded_allow_ips=forwarded_allow_ips, server_header=False,
                    log_level="info")
    finally:
        refresher.terminate()  # SIGTERM: it stops after the indicator or group under way
        refresher.join(timeout=60)
        if refresher.is_alive():
            refresher.kill()


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
    folder: Annotated[Path | None, typer.Argument(
        help="The folder to watch (and its subfolders); or give --feed instead.")] = None,
    feed: Annotated[list[str] | None, typer.Option(
        metavar="URL", help="An RSS or Atom feed to poll (repeatable); each new entry's page "
                            "is fetched and ingested. Needs bilateral[feeds].")] = None,
    interval: Annotated[float | None, typer.Option(
        min=0.1, help="Seconds between scans (a file is ingested once it is unchanged for "
                      "one scan), 2 by default; between polls of the feeds, 300 by "
                      "default.")] = None,
    once: Annotated[bool, typer.Option(
        "--once", help="Ingest what is there now and stop.")] = False,
    host_interval: Annotated[float, typer.Option(
        min=0, help="Feeds: seconds between two requests to one host (longer when its "
                    "robots.txt asks).")] = FeedDefaults.host_interval,
    timeout: Annotated[float, typer.Option(
        min=0.1, help="Feeds: seconds a server may stay silent before a request fails.",
    )] = FeedDefaults.read_timeout,
    max_bytes: Annotated[int, typer.Option(
        min=1, help="Feeds: the largest feed or page read; a larger one is rejected.",
    )] = FeedDefaults.max_bytes,
    attempts: Annotated[int, typer.Option(
        min=1, help="Feeds: tries of a failing fetch, at later polls, before it is given "
                    "up.")] = FeedDefaults.max_attempts,
    retry_after: Annotated[float, typer.Option(
        min=0, help="Feeds: seconds before a failed fetch is tried again; doubled after "
                    "each failure.")] = FeedDefaults.retry_after,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Feeds with --once: print the run report as JSON.")] = False,
) -> None:
    """Ingest files dropped into a folder, or articles from RSS and Atom feeds, as they
    arrive; a running server shows them.

    Example: bilateral watch --feed https://example.org/news.rss --db postgresql://team@db/bilateral
    """
    from bilateral.dossier import load_dossier
    from bilateral.errors import InputError
    from bilateral.store import open_store

    if (folder is None) == (not feed):
        raise InputError("watch a folder or one or more --feed URL, not "
                         + ("both" if feed else "neither"))
    if as_json and not (feed and once):
        raise InputError("--json prints the report of one poll of feeds: use it with --feed "
                         "and --once")
    if feed:
        policy = FeedPolicy(host_interval=host_interval, read_timeout=timeout,
                            connect_timeout=min(timeout, FeedDefaults.connect_timeout),
                            max_bytes=max_bytes, max_attempts=attempts, retry_after=retry_after)
        _watch_feeds(feed, open_store(db), load_dossier(dossier), policy,
                     interval=300.0 if interval is None else interval, once=once,
                     as_json=as_json)
        return
    assert folder is not None
    from bilateral.ingest.watch import watch as run_watch

    store = open_store(db)
    interval = 2.0 if interval is None else interval

    loaded = load_dossier(dossier)

    def report(paths: list[Path], result) -> None:
        if result.documents_new:
            keep_answers(store, loaded)  # at once if a server's refresher holds the lease
        names = ", ".join(p.name for p in paths[:3]) + (f" and {len(paths) - 3} more"
                                                        if len(paths) > 3 else "")
        out.print(f"{time.strftime('%H:%M:%S')} {escape(printable(names))}: documents new "
                  f"{result.documents_new}, already stored {result.documents_existing}; "
                  f"observations {result.observations}, events {result.events}")
        print_rejections(result.rejections)

    stop = _stop_on_signals() if not once else threading.Event()
    if not once:
        out.print(f"Watching {escape(str(folder))} every {interval:g} s into "
                  f"{escape(store.url)}; Ctrl-C stops.")
    count = run_watch(folder, store, loaded, interval=interval, once=once,
                      stop=stop, on_ingest=report)
    out.print(f"Ingested {count} file{'s' if count != 1 else ''}."
              + ("" if once else " Stopped."))


def _stop_on_signals() -> threading.Event:
    """Ctrl-C or a service manager's SIGTERM: finish the ingest under way, then stop."""
    stop = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stop.set())
    return stop


def _watch_feeds(feeds: list[str], store, dossier, policy, *, interval: float, once: bool,
                 as_json: bool) -> None:
    from bilateral.ingest.feeds import FeedReport, watch_feeds

    def page(url: str, outcome: str) -> None:
        err.print(f"{time.strftime('%H:%M:%S')} {escape(printable(url))}: "
                  f"{escape(printable(outcome))}", soft_wrap=True)

    def poll(report: FeedReport) -> None:
        if report.ingested:
            keep_answers(store, dossier)  # at once if a server's refresher holds the lease
        if not as_json:
            out.print(f"{time.strftime('%H:%M:%S')} " + _feed_summary(report))

    stop = threading.Event() if once else _stop_on_signals()
    if not once:
        out.print(f"Watching {len(feeds)} feed{'s' if len(feeds) != 1 else ''} every "
                  f"{interval:g} s into {escape(store.url)}; Ctrl-C stops.")
    total = watch_feeds(feeds, store, dossier, policy, interval=interval, once=once,
                        stop=stop, on_poll=poll, on_page=None if as_json else page)
    if as_json:
        print(json.dumps(total.as_dict(), indent=2))
    else:
        if total.failed:
            table = Table(title=f"Failed fetches ({len(total.failed)})")
            for column in ("url", "attempts", "then", "reason"):
                table.add_column(column, overflow="fold")
            for failure in total.failed:
                table.add_row(escape(printable(failure.url)), str(failure.attempts),
                              "given up" if failure.gave_up
                              else f"again in {failure.retry_in:g} s",
                              escape(printable(failure.reason)))
            out.print(table)
        print_rejections(total.rejections)
        out.print(("Total: " if not once else "") + _feed_summary(total)
                  + ("" if once else " Stopped."))
    if total.failed or total.rejections:
        raise typer.Exit(EXIT_PARTIAL)


def _feed_summary(report) -> str:
    return (f"feeds {report.feeds}, fetched {report.fetched}, ingested {report.ingested}, "
            f"duplicates {report.duplicates}, not modified {report.not_modified}, skipped by "
            f"robots.txt {len(report.skipped_robots)}, failed {len(report.failed)}, rejected "
            f"{len(report.rejections)}; observations {report.observations}, events "
            f"{report.events}")
