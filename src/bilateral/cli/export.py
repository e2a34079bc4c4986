"""The export command: the store's tables as CSV, JSON Lines or Parquet files for the tools
analysts already use (pandas, DuckDB, R, spreadsheets); see ``bilateral.report.exports``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from bilateral.cli.shared import (
    DbOption,
    SinceOption,
    UntilOption,
    app,
    check_plover,
    check_status,
    err,
    iso3,
)
from bilateral.errors import InputError
from bilateral.report.exports import FORMATS, LAYOUTS, TABLES

ALL = "all"
#: What the command exports: a table, or every table.
Exported = Literal[(*TABLES, ALL)]  # type: ignore[valid-type]
Format = Literal[FORMATS]  # type: ignore[valid-type]
Layout = Literal[LAYOUTS]  # type: ignore[valid-type]


@app.command("export")
def export_command(
    table: Annotated[Exported, typer.Argument(
        metavar="TABLE",
        help="documents, observations, events, claims, timeline, index, or all (every table, "
             "one file each, into the folder --out).")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="PATH",
        help="File to write (a folder for all). Without it, CSV and JSON Lines go to "
             "standard output.")] = None,
    format_: Annotated[Format | None, typer.Option(
        "--format", "-f", metavar="csv|jsonl|parquet",
        help="File format; by default the suffix of --out names it.")] = None,
    layout: Annotated[Layout, typer.Option(
        metavar="plain|polecat",
        help="polecat: events in the columns of the POLECAT event data set.")] = "plain",
    since: SinceOption = None,
    until: UntilOption = None,
    indicator: Annotated[str | None, typer.Option(
        metavar="ID", help="observations, claims: only this indicator.")] = None,
    status: Annotated[str | None, typer.Option(
        metavar="STATUS", callback=check_status,
        help="observations, claims: only this status (actual, announced, agreed, ...).")
    ] = None,
    type_: Annotated[str | None, typer.Option(
        "--type", metavar="PLOVER_TYPE", callback=check_plover,
        help="events, timeline: only this PLOVER type, e.g. CONSULT.")] = None,
    state: Annotated[str | None, typer.Option(
        metavar="ISO3", callback=iso3,
        help="observations (the state a value is stated by or for), events, timeline, "
             "index (source or target): only this state.")] = None,
    dossier: Annotated[str, typer.Option(
        "--dossier", "-d", envvar="BILATERAL_DOSSIER", metavar="NAME|FILE",
        help="Built-in dossier name or dossier file: indicator names (claims), index "
             "weights, actors (polecat).")] = "us-japan",
    db: DbOption = None,
) -> None:
    """Export a table of the store as CSV, JSON Lines or Parquet.

    Columns and their types are the same in every format and are listed in docs/exports.md;
    rows are read and written a batch at a time, and a file appears only once whole.

    Example: bilateral export events --format parquet --out events.parquet --since 2025-01
    """
    from bilateral.report.exports import (
        Filters,
        check_all,
        check_filters,
        format_of,
        unsupported,
    )

    filters = Filters(since=since, until=until, indicator=indicator, status=status,
                      type=type_, state=state)
    chosen = format_ or (format_of(out_file) if out_file and table != ALL else None)
    if chosen is None:
        hint = " (a folder names none)" if table == ALL else \
            " or an --out file ending in .csv, .jsonl or .parquet"
        raise typer.BadParameter(f"give --format csv, jsonl or parquet{hint}",
                                 param_hint="--format")
    if out_file is None and (table == ALL or chosen == "parquet"):
        what = "every table" if table == ALL else "Parquet, a binary format,"
        raise typer.BadParameter(f"{what} cannot go to standard output; give --out "
                                 f"{'FOLDER' if table == ALL else 'FILE.parquet'}",
                                 param_hint="--out")
    if layout != "plain" and table != "events":
        raise typer.BadParameter(f"the {layout} layout is a layout of events, not of {table}",
                                 param_hint="--layout")
    wrong = [n for n in filters.given() if n not in ("since", "until")] if table == ALL \
        else unsupported(table, filters)
    try:
        if table == ALL:
            check_all(filters)
        else:
            check_filters(table, filters)
    except InputError as exc:
        raise typer.BadParameter(exc.message, param_hint=", ".join(
            f"--{name}" for name in wrong or ("since", "until"))) from exc
    from bilateral.store import open_store

    store = open_store(db, create=False)  # a missing store is refused (exit 2), not created

    from bilateral.dossier import load_dossier
    from bilateral.report.exports import NEEDS_DOSSIER, export, export_all

    needs = table == ALL or table in NEEDS_DOSSIER or layout == "polecat"
    loaded = load_dossier(dossier) if needs else None
    if table == ALL:
        assert out_file is not None and loaded is not None
        results = export_all(store, out_file, format=chosen, dossier=loaded, filters=filters)
        summary = Table(title=f"Exported to {out_file}")
        for column in ("table", "rows", "file"):
            summary.add_column(column, justify="right" if column == "rows" else "left")
        for result in results:
            summary.add_row(result.table, f"{result.rows:,}", str(result.path))
        err.print(summary)
        return
    try:
        result = export(store, table, out_file or sys.stdout, format=chosen, layout=layout,
                        dossier=loaded, filters=filters)
    except BrokenPipeError:
        _quiet_stdout()  # the reader stopped early (| head); that is no error
        return
    if result.path is not None:
        err.print(f"Exported {result.rows:,} rows of {table}"
                  f"{' (polecat)' if layout == 'polecat' else ''} to {result.path}")


def _quiet_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
