"""What every command shares: the Typer app, its options and their checks, and the tables,
JSON and progress bars the commands print.

Whatever came from an article (text, titles, quotes, origins, reasons) reaches the terminal as
``terminal_text``: control characters shown as escapes, so an article cannot clear the screen,
retitle the window or ring the bell, and as plain text, so ``[bold]`` in it stays literal. JSON
and CSV stay faithful to the store (JSON escapes control characters itself).
"""


from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from bilateral.errors import BilateralError
from bilateral.limits import printable
from bilateral.report.formatting import format_value, shorten

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3

class _Group(TyperGroup):
    """Turns the project's own errors into ``Error: ...`` and exit code 1, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BilateralError as exc:
            err.print(f"[bold red]Error:[/] {escape(printable(str(exc)))}")
            raise typer.Exit(EXIT_ERROR) from exc


app = typer.Typer(
    cls=_Group,
    help="Follow the relationship between two states through the news, every fact tied to "
         "the sentence it came from.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
dossier_app = typer.Typer(cls=_Group, help="Validate and inspect dossiers.",
                          no_args_is_help=True)
app.add_typer(dossier_app, name="dossier")

# Wide tables when the output is a pipe or a file, where 80 columns would fold every quote.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
out = Console(width=_WIDTH)
err = Console(stderr=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="BILATERAL_DB", show_envvar=True,
    help="Store URL: sqlite:///file.db (default sqlite:///bilateral.db) or postgresql://...")]
DossierOption = Annotated[str, typer.Option(
    "--dossier", "-d", envvar="BILATERAL_DOSSIER",
    help="Built-in dossier name or path to a YAML/TOML dossier file.")]
ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", envvar="BILATERAL_MODEL", show_envvar=True, metavar="DIR",
    help="Model directory written by 'bilateral train', or 'default' (shipped) or 'rules'.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows to show at most.")]
DocFilter = Annotated[str | None, typer.Option(help="Only this document.")]

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def check_date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def check_status(value: str | None) -> str | None:
    from bilateral.records import STATUSES

    if value is not None and value not in STATUSES:
        raise typer.BadParameter(f"{value!r} is not a status; use one of {', '.join(STATUSES)}",
                                 param_hint="--status")
    return value


def check_plover(value: str | None) -> str | None:
    from bilateral.records import PLOVER_TYPES

    if value is not None and value.upper() not in PLOVER_TYPES:
        raise typer.BadParameter(f"{value!r} is not a PLOVER type; use one of "
                                 f"{', '.join(PLOVER_TYPES)}", param_hint="--type")
    return value.upper() if value else None


SinceOption = Annotated[str | None, typer.Option(
    callback=check_date, help="Only records whose time overlaps from this date (YYYY[-MM[-DD]]).",
)]
UntilOption = Annotated[str | None, typer.Option(
    callback=check_date, help="Only records whose time overlaps up to this date (YYYY[-MM[-DD]]).",
)]


# --- output helpers ---------------------------------------------------------------------------

def terminal_text(value: Any, style: str = "") -> Text:
    """``value`` as Rich text that is safe to print: no markup, no live control characters."""
    return Text(printable(str(value)), style=style)


def progress_bar(label: str, *, items: bool = False):
    """A progress bar on stderr, quiet when stderr is not a terminal; it counts bytes, or items
    (documents) with ``items``."""
    from contextlib import contextmanager

    @contextmanager
    def bar():
        done = MofNCompleteColumn() if items else DownloadColumn()
        with Progress(TextColumn(label), BarColumn(), done, TimeRemainingColumn(),
                      console=err, transient=True, disable=not err.is_terminal) as progress:
            yield progress, progress.add_task(label, total=None)
    return bar()


def as_dict(row: Any) -> dict[str, Any]:
    if is_dataclass(row):
        return asdict(row)
    if isinstance(row, dict):
        return row
    return dict(row._asdict()) if hasattr(row, "_asdict") else vars(row)


def emit(rows: Sequence[Any], columns: list[str], *, as_json: bool, as_csv: bool, title: str,
          drop_json: Iterable[str] = ()) -> None:
    plain = [as_dict(r) for r in rows]
    if as_json:
        for row in plain:
            for key in drop_json:
                row.pop(key, None)
        print(json.dumps(plain, indent=2, default=str, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(plain[0]) if plain else columns,
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(plain)
        return
    table = Table(title=terminal_text(f"{title} ({len(plain)})", "table.title"),
                  show_lines=False, expand=False)
    for column in columns:
        wide = column in ("quote", "sentence", "title", "snippet", "name")
        table.add_column(column, overflow="fold" if wide else "ellipsis", no_wrap=not wide,
                         ratio=1 if wide else None, min_width=24 if wide else None)
    for row in plain:
        table.add_row(*(_cell(row, c) for c in columns))
    out.print(table)


def _cell(row: dict[str, Any], column: str) -> Text:
    value = row.get(column)
    if value is None:
        return Text("-", style="dim")
    if column == "value" and "unit" in row:
        return Text(format_value(value, row["unit"]))
    if column in ("quote", "title", "snippet"):
        return terminal_text(shorten(str(value), 110))
    if column == "sentence":  # the span already bracketed and the sentence fitted around it
        return terminal_text(value)
    if column in ("doc_id", "id", "duplicate_of"):
        return terminal_text(str(value)[:10])
    if isinstance(value, float):
        return Text(f"{value:.3g}")
    return terminal_text(value)


def highlight(text: str, yellow: list[tuple[int, int]], cyan: list[tuple[int, int]]) -> Text:
    """The article with record quotes highlighted (rendered as text, never as markup).

    Control characters are shown as escapes, which are longer than the characters they stand
    for, so each span's offsets into the stored text are moved to match."""
    pieces = [char if char.isprintable() else printable(char) for char in text]
    shown = [0]  # shown[i]: where the i-th character of ``text`` starts on screen
    for piece in pieces:
        shown.append(shown[-1] + len(piece))
    rendered = Text("".join(pieces))

    def at(offset: int) -> int:
        return shown[max(0, min(offset, len(text)))]

    for start, end in cyan:
        rendered.stylize("black on cyan", at(start), at(end))
    for start, end in yellow:
        rendered.stylize("black on yellow", at(start), at(end))
    return rendered


def print_ingest(result: Any, report: Path | None) -> None:
    table = Table(title="Ingest", show_header=False)
    table.add_column(justify="left")
    table.add_column(justify="right")
    for label, value in (("documents read", result.documents_read),
                         ("new", result.documents_new),
                         ("already stored", result.documents_existing),
                         ("near-duplicates linked", result.near_duplicates),
                         ("observations", result.observations), ("events", result.events),
                         ("rejected inputs", len(result.rejections))):
        table.add_row(label, f"{value:,}")
    out.print(table)
    print_rejections(result.rejections)
    if report:
        out.print(f"Report written to {report}")


def print_rejections(rejections: Sequence[Any]) -> None:
    if not rejections:
        return
    table = Table(title=f"Rejected ({len(rejections)})", title_style="bold red")
    table.add_column("file or line", overflow="fold")
    table.add_column("code")
    table.add_column("reason", overflow="fold")
    for r in rejections:
        table.add_row(terminal_text(r.origin), terminal_text(r.code), terminal_text(r.reason))
    err.print(table)


def iso3(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise typer.BadParameter(f"{value!r} is not an ISO3 state code such as USA or JPN")
    return value.upper()


#: Characters of a sentence shown in a table cell, around its bracketed evidence span.
SENTENCE_WIDTH = 160


def with_sentences(store: Any, records: Sequence[Any], *, table: bool,
                   texts: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Records as rows with the whole sentence around each quote: for a table, fitted to
    SENTENCE_WIDTH with the span [in brackets]; for JSON, the sentence and the span's
    ``mark`` offsets in it. ``texts`` (doc id to text) saves reading texts already at hand."""
    from bilateral.quotes import sentence_around, sentence_for

    if texts is None:
        found = store.sentences((r.doc_id, r.start, r.end) for r in records)
    else:
        found = {(r.doc_id, r.start, r.end): s for r in records
                 if (s := sentence_around(texts.get(r.doc_id, ""), r.start, r.end))}
    rows = []
    for record in records:
        row = as_dict(record)
        sentence = sentence_for(record, found)
        if sentence is None:
            row["sentence"] = f"[{record.quote}]" if table else None
        elif table:
            row["sentence"] = sentence.one_line().fit(SENTENCE_WIDTH).bracketed()
        else:
            row.update(sentence=sentence.text, mark=[sentence.start, sentence.end])
        rows.append(row)
    return rows


def resolve_doc(store: Any, ref: str | None) -> str | None:
    return store.get_document(ref).id if ref else None
