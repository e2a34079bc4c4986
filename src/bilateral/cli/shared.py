"""What every command shares: the Typer app, its options and their checks, the output of the
listing commands (a table, JSON, JSON lines or CSV) and the progress bars.

Whatever came from an article (text, titles, quotes, origins, reasons) reaches the terminal as
``terminal_text``: control characters shown as escapes, so an article cannot clear the screen,
retitle the window or ring the bell, and as plain text, so ``[bold]`` in it stays literal. JSON
and CSV stay faithful to the store (JSON escapes control characters itself).

Exit codes are the constants below; the README's table of exit and error codes is checked
against them and against ``bilateral.errors`` by the tests.
"""


from __future__ import annotations

import csv
import functools
import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
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
from typer.core import TyperArgument, TyperGroup, TyperOption

from bilateral.errors import BilateralError, InputError, StoreMissing
from bilateral.limits import printable
from bilateral.report.formatting import format_value, shorten

#: 0 success; 1 an error stopped the command; 2 bad usage or no store to read; 3 the command
#: finished but some inputs were rejected.
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


class _Group(TyperGroup):
    """Turns the project's own errors into ``Error: ...`` and exit code 1 (2 when there is no
    store to read), for every command; gives every parameter a readable placeholder in --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _readable_placeholders(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BilateralError as exc:
            # "Error: no store at ...", as a usage error reads; every other one with its code
            shown = f"{exc.message} ({exc.code})" if isinstance(exc, StoreMissing) else str(exc)
            err.print(f"[bold red]Error:[/] {escape(printable(shown))}")
            raise typer.Exit(exit_code(type(exc))) from exc


def exit_code(error: type[BilateralError]) -> int:
    """The exit code of a command stopped by ``error``: 2 when there is no store to read (as
    for bad usage, the command could do nothing), else 1."""
    return EXIT_USAGE if issubclass(error, StoreMissing) else EXIT_ERROR


class _Argument(TyperArgument):
    """An argument whose placeholder stands alone in --help (``PATH...``), with no type
    placeholder beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        base = (self.metavar or self.name.upper()).removesuffix("...")
        shown = f"{{{base}}}" if self.required else f"[{base}]"
        return shown + ("..." if self.nargs != 1 else "")


def _readable_placeholders(command: Any) -> None:
    """Every parameter of ``command`` and its subcommands gets a readable placeholder in
    --help: flags none, arguments their metavar or name in capitals (``PATH...``), numbers N,
    other options their name in capitals, instead of Typer's ``<str>`` or ``<list[Path]>``."""
    for sub in getattr(command, "commands", {}).values():
        _readable_placeholders(sub)
    help_option = command.get_help_option(typer.Context(command))
    params = [*command.params, *([help_option] if help_option is not None else [])]
    for param in params:
        if isinstance(param, TyperArgument):
            base = param.metavar or param.name.upper()
            many = param.nargs != 1 and not base.endswith("...")
            param.metavar = base + ("..." if many else "")
            param.__class__ = _Argument
        elif param.metavar is not None:
            continue
        elif isinstance(param, TyperOption) and param.is_flag:
            param.metavar = ""
        elif getattr(getattr(param, "type_descriptor", None), "annotation", None) is int:
            param.metavar = "N"
        else:
            param.metavar = param.name.upper()


def _print_version(value: bool) -> None:
    if value:
        print(f"bilateral {package_version('bilateral')}")
        raise typer.Exit(EXIT_OK)


app = typer.Typer(
    cls=_Group,
    help="Follow the relationship between two states through the news, every fact tied to "
         "the sentence it came from.\n\n"
         "Example: bilateral ingest examples/corpus --db sqlite:///news.db",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version of bilateral and exit.")] = False,
) -> None:
    """Options that come before the command."""


dossier_app = typer.Typer(cls=_Group, no_args_is_help=True,
                          help="Validate and inspect dossiers.\n\n"
                               "Example: bilateral dossier check my-dossier.yaml")
app.add_typer(dossier_app, name="dossier")

# Wide tables when the output is a pipe or a file, where 80 columns would fold every quote.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
out = Console(width=_WIDTH)
err = Console(stderr=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="BILATERAL_DB", show_envvar=True, metavar="URL",
    help="Store URL: sqlite:///file.db (default sqlite:///bilateral.db) or postgresql://...")]
DossierOption = Annotated[str, typer.Option(
    "--dossier", "-d", envvar="BILATERAL_DOSSIER", metavar="NAME|FILE",
    help="Built-in dossier name or path to a YAML/TOML dossier file.")]
ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", envvar="BILATERAL_MODEL", show_envvar=True, metavar="DIR",
    help="Model directory written by 'bilateral train', or 'default' (shipped) or 'rules'.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, metavar="N",
                                          help="Rows to show at most.")]
DocFilter = Annotated[str | None, typer.Option(metavar="DOC_ID", help="Only this document.")]


def check_date(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> str | None:
    """A real calendar date at the precision given; --since not after --until."""
    from bilateral.analyse.periods import check, first_day, last_day

    if value is None:
        return None
    try:
        check(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD "
                                 f"(a real calendar date)") from None
    since, until = ((value, ctx.params.get("until")) if param.name == "since"
                    else (ctx.params.get("since"), value) if param.name == "until"
                    else (None, None))
    if since and until and first_day(since) > last_day(until):
        raise typer.BadParameter(f"--since {since} is after --until {until}")
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
    callback=check_date, metavar="DATE",
    help="Only records whose time overlaps from this date (YYYY[-MM[-DD]]).",
)]
UntilOption = Annotated[str | None, typer.Option(
    callback=check_date, metavar="DATE",
    help="Only records whose time overlaps up to this date (YYYY[-MM[-DD]]).",
)]


# --- listings: a table at the terminal, or JSON, JSON lines or CSV for a program ---------------

_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".csv": "csv"}


@dataclass(frozen=True)
class Output:
    """How a listing command prints: ``format`` is ``table``, ``json``, ``jsonl`` or ``csv``;
    ``path`` is a file written instead of stdout (never for a table)."""

    format: str = "table"
    path: Path | None = None

    @property
    def table(self) -> bool:
        return self.format == "table"

    def emit(self, rows: Sequence[Any], columns: Sequence[str], *, title: str,
             fields: Sequence[str] | None = None, items: Sequence[Any] | None = None,
             document: Any = None) -> None:
        """Print a listing. A table shows ``columns`` of ``rows``; CSV has the ``fields``
        (default ``columns``) of ``rows``, in that order; JSON is ``document`` when given, else
        the array of ``items`` (default ``rows``), and JSON lines one item per line."""
        if self.table:
            print_table(rows, columns, title=title)
        else:
            self.write(rows if items is None else items, rows=rows,
                       fields=fields or columns, document=document)

    def write(self, items: Sequence[Any], *, rows: Sequence[Any] | None = None,
              fields: Sequence[str] = (), document: Any = None) -> None:
        """Write the machine formats: ``items`` as JSON (or ``document``) or JSON lines,
        ``rows`` (default ``items``) as CSV with the header ``fields``."""
        if self.path is None:
            self._write_to(sys.stdout, items, rows, fields, document)
            return
        try:
            with self.path.open("w", encoding="utf-8", newline="") as stream:
                self._write_to(stream, items, rows, fields, document)
        except OSError as exc:
            raise InputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        count = len(items) if document is None else 1
        err.print(terminal_text(f"Wrote {self.format.upper()} ({count} "
                                f"{'record' if count == 1 else 'records'}) to {self.path}"))

    def _write_to(self, stream: IO[str], items: Sequence[Any], rows: Sequence[Any] | None,
                  fields: Sequence[str], document: Any) -> None:
        plain = [as_dict(item) for item in items]
        if self.format == "json":
            stream.write(_json(plain if document is None else document, indent=2) + "\n")
        elif self.format == "jsonl":
            stream.writelines(_json(item) + "\n" for item in plain)
        else:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(fields)
            for row in (plain if rows is None else [as_dict(r) for r in rows]):
                writer.writerow([_csv_cell(row.get(name)) for name in fields])


#: A table at the terminal: what a listing command prints without --json, --jsonl or --csv.
TABLE = Output()


def _json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, default=str, ensure_ascii=False)


def _csv_cell(value: Any) -> Any:
    """A CSV cell: nested values as JSON, None as an empty cell."""
    if isinstance(value, dict | list | tuple):
        return _json(value)
    return "" if value is None else value


def choose_output(as_json: bool = False, as_jsonl: bool = False, as_csv: bool = False,
                  out_file: Path | None = None) -> Output:
    """The Output the flags ask for; a usage error for two formats at once, or for --out
    without a format its file's suffix can tell."""
    chosen = [name for name, on in (("json", as_json), ("jsonl", as_jsonl), ("csv", as_csv))
              if on]
    if len(chosen) > 1:
        raise typer.BadParameter(
            "give one of --json, --jsonl and --csv, not several",
            param_hint=[f"--{name}" for name in chosen])
    if not chosen and out_file is not None:
        suffix = _SUFFIXES.get(out_file.suffix.lower())
        if suffix is None:
            raise typer.BadParameter(
                f"{str(out_file)!r}: say what to write with --json, --jsonl or --csv, or name "
                f"a file ending in .json, .jsonl or .csv", param_hint="'--out'")
        chosen = [suffix]
    return Output(chosen[0] if chosen else "table", out_file)


_LISTING_OPTIONS = (
    ("as_json", bool, False, typer.Option(
        "--json", help="Print JSON (an array, or the command's object) instead of a table.")),
    ("as_jsonl", bool, False, typer.Option(
        "--jsonl", help="Print JSON lines, one object per line, instead of a table.")),
    ("as_csv", bool, False, typer.Option(
        "--csv", help="Print CSV (a header row, then one row per record) instead of a table.")),
    ("out_file", Path | None, None, typer.Option(
        "--out", "-o", metavar="FILE",
        help="Write to this file instead of stdout, in the format of --json, --jsonl or --csv, "
             "or the file's suffix (.json, .jsonl, .csv).")),
)


def listing(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a listing command --json, --jsonl, --csv and --out, checked once here; the command
    receives them as ``output``, an Output."""
    signature = inspect.signature(command, eval_str=True)
    kept = [p for name, p in signature.parameters.items() if name != "output"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                               annotation=Annotated[kind, option])
             for name, kind, default, option in _LISTING_OPTIONS]

    @functools.wraps(command)
    def run(*args: Any, as_json: bool = False, as_jsonl: bool = False, as_csv: bool = False,
            out_file: Path | None = None, **kwargs: Any) -> Any:
        return command(*args, output=choose_output(as_json, as_jsonl, as_csv, out_file),
                       **kwargs)

    params = [*kept, *added]
    run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    return run


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


def keep_answers(store: Any, dossier: Any) -> None:
    """Bring the store's kept answers up to date after a write (``bilateral.analyse.kept``),
    so a server over it answers with the new records at once. The write stands if this fails:
    its marks stay, and the next refresh (a server's refresher, the next write) tries again."""
    from bilateral.analyse.kept import refresh

    try:
        with progress_bar("Keeping answers", items=True) as (progress, task):
            refresh(store, dossier, progress=lambda _what, done, total: progress.update(
                task, completed=done, total=total))
    except Exception as exc:  # any failure of the analysis leaves the write whole
        err.print(f"[yellow]Warning:[/] the kept answers could not be brought up to date "
                  f"({escape(type(exc).__name__)}: {escape(str(exc)[:300])}); the records are "
                  f"stored, and the next refresh tries again.")


def as_dict(row: Any) -> dict[str, Any]:
    if is_dataclass(row):
        return asdict(row)
    if isinstance(row, dict):
        return row
    return dict(row._asdict()) if hasattr(row, "_asdict") else vars(row)


#: Identifiers: printed whole on one line, so that what a table shows can be typed back
#: (``bilateral show DOC_ID``, ``bilateral indicator ID``).
_IDS = frozenset({"doc_id", "id", "duplicate_of", "indicator"})
#: Free text, folded to fit, with the fewest columns it may be narrowed to in a table.
_TEXT = {"sentence": 40, "quote": 40, "snippet": 40, "title": 24, "name": 12}
#: Free text short enough to stay on its record's line when the text goes under it.
_LABELS = frozenset({"name"})
#: What a table shows only when there is room (the rule that made a record); at narrow widths
#: it goes under the record's text.
_DETAILS = frozenset({"rule"})


def print_table(rows: Sequence[Any], columns: Sequence[str], *, title: str,
                console: Console | None = None) -> None:
    """Rows as a table whose identifiers and short values print whole and whose text columns
    take the width left. Where that leaves the text too little room (an 80-column terminal),
    the details go first; if it still does not fit, each record takes a line of its short
    values and its text goes under it, indented, over the whole width."""
    console = console or out
    plain = [as_dict(r) for r in rows]
    heading = f"{title} ({len(plain)})"
    cells = {c: [_cell(row, c) for row in plain] for c in columns}
    natural = {c: max([len(c), *(cell.cell_len for cell in cells[c])]) for c in columns}
    tries = [list(columns)]
    if any(c in _DETAILS for c in columns):
        tries.append([c for c in columns if c not in _DETAILS])
    for shown in tries:
        fixed = sum(natural[c] for c in shown if c not in _TEXT)
        least = {c: min(natural[c], _TEXT[c]) for c in shown if c in _TEXT}
        room = console.width - (3 * len(shown) + 1) - fixed  # borders and padding: 3 a column
        if room >= sum(least.values()):
            widths = _share(room, least, {c: natural[c] for c in least})
            table = Table(title=terminal_text(heading, "table.title"))
            for c in shown:
                table.add_column(c, width=widths.get(c, natural[c]), overflow="fold",
                                 no_wrap=c not in _TEXT)
            for n in range(len(plain)):
                table.add_row(*(cells[c][n] for c in shown))
            console.print(table)
            return
    _print_stacked(console, heading, list(columns), cells, len(plain))


def _share(room: int, least: dict[str, int], most: dict[str, int]) -> dict[str, int]:
    """Widths for the text columns: each its least, then the room left shared out evenly,
    none beyond what its longest cell needs."""
    widths = dict(least)
    left = room - sum(widths.values())
    growing = [c for c in widths if widths[c] < most[c]]
    while left > 0 and growing:
        each = max(1, left // len(growing))
        for c in list(growing):
            step = min(each, most[c] - widths[c], left)
            widths[c] += step
            left -= step
            if widths[c] >= most[c]:
                growing.remove(c)
    return widths


def _print_stacked(console: Console, heading: str, columns: list[str],
                   cells: dict[str, list[Text]], count: int) -> None:
    inline = [c for c in columns if c not in _DETAILS and (c not in _TEXT or c in _LABELS)]
    under = [c for c in columns if c not in inline and c not in _DETAILS] + [
        c for c in columns if c in _DETAILS]
    widths = {c: max([len(c), *(cell.cell_len for cell in cells[c])]) for c in inline}
    gap = 2 if sum(widths.values()) + 2 * (len(inline) - 1) <= console.width else 1
    # The short values in as few lines as fit, broken between columns, never inside one.
    lines: list[list[str]] = [[]]
    used = 0
    for c in inline:
        if lines[-1] and used + gap + widths[c] > console.width:
            lines.append([])
        used = (used + gap if lines[-1] else 0) + widths[c]
        lines[-1].append(c)

    def print_values(values: dict[str, Text]) -> None:
        for shown in lines:
            joined = Text()
            for n, c in enumerate(shown):
                joined.append_text(values[c])
                if n < len(shown) - 1:
                    joined.append(" " * (widths[c] - values[c].cell_len + gap))
            joined.rstrip()
            console.print(joined, overflow="fold")

    def indented(text: Text) -> Padding:
        return Padding(text, (0, 0, 0, 4), expand=False)

    console.print(terminal_text(heading, "table.title"))
    print_values({c: Text(c, style="bold") for c in inline})
    console.print(indented(Text(", ".join(under), style="bold")))
    for n in range(count):
        print_values({c: cells[c][n] for c in inline})
        for c in under:
            text = cells[c][n]
            if c in _DETAILS:
                text = Text.assemble(f"{c}: ", text, style="dim")
            console.print(indented(text))


def _cell(row: dict[str, Any], column: str) -> Text:
    value = row.get(column)
    if value is None:
        return Text("-", style="dim")
    if column == "disputed":
        return Text("!" if value else "")
    if column == "value" and "unit" in row:
        return Text(format_value(value, row["unit"]))
    if column in ("quote", "title", "snippet"):
        return terminal_text(shorten(str(value), 110))
    if column == "sentence":  # the span already bracketed and the sentence fitted around it
        return terminal_text(value)
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
