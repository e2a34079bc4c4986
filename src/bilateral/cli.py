"""The ``bilateral`` command: parse arguments, call one library function, print the result.

Exit codes: 0 success; 1 an error stopped the command (message on stderr); 2 bad usage;
3 the command finished but some inputs were rejected (see the report).
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
from bilateral.report.formatting import format_value, shorten

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3

class _Group(TyperGroup):
    """Turns the project's own errors into ``Error: ...`` and exit code 1, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BilateralError as exc:
            err.print(f"[bold red]Error:[/] {escape(str(exc))}")
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
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows to show at most.")]
DocFilter = Annotated[str | None, typer.Option(help="Only this document.")]

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _date(value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return value


SinceOption = Annotated[str | None, typer.Option(
    callback=_date, help="Only records whose time overlaps from this date (YYYY[-MM[-DD]]).")]
UntilOption = Annotated[str | None, typer.Option(
    callback=_date, help="Only records whose time overlaps up to this date (YYYY[-MM[-DD]]).")]


def main() -> None:
    """Entry point of the ``bilateral`` command."""
    app()


# --- ingest and extract -----------------------------------------------------------------------

@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .html .jsonl).")],
    db: DbOption = None,
    dossier: DossierOption = "us-japan",
    report: Annotated[Path | None, typer.Option(
        help="Write the run report (every rejected file or line and why) as JSON.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 200,
    max_bytes: Annotated[int, typer.Option(min=1, help="Largest article accepted.")] = 5_000_000,
    as_json: JsonOption = False,
) -> None:
    """Ingest articles into the store, extracting their observations and events.

    Example: bilateral ingest examples/corpus --db sqlite:///news.db --report report.json
    """
    from bilateral.dossier import load_dossier
    from bilateral.ingest.run import ingest as run_ingest
    from bilateral.store import open_store

    loaded = load_dossier(dossier)
    store = open_store(db)
    with _progress("Ingesting") as (progress, task):
        result = run_ingest(paths, store, loaded, batch_size=batch_size, max_bytes=max_bytes,
                            progress=lambda done, total: progress.update(
                                task, completed=done, total=total))
    if report:
        report.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        _print_ingest(result, report)
    raise typer.Exit(EXIT_PARTIAL if result.failed else EXIT_OK)


@app.command()
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="A folder, files or a JSONL corpus.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Interchange JSONL to write.")],
    dossier: DossierOption = "us-japan",
) -> None:
    """Extract observations and events into the interchange format, without touching the store.

    Example: bilateral extract corpus.jsonl --out predictions.jsonl
    """
    from bilateral.dossier import load_dossier
    from bilateral.extract.interchange import write_interchange

    loaded = load_dossier(dossier)
    with _progress("Extracting") as (progress, task):
        result = write_interchange(inputs, out_file, loaded, progress=lambda done, total:
                                   progress.update(task, completed=done, total=total))
    err.print(f"Wrote {result.documents} documents ({result.observations} observations, "
              f"{result.events} events) to {out_file}")
    _print_rejections(result.rejections)
    raise typer.Exit(EXIT_PARTIAL if result.rejections else EXIT_OK)


def _mode(value: str) -> str:
    if value not in ("strict", "lenient"):
        raise typer.BadParameter(f"{value!r} is not a mode; use strict or lenient")
    return value


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold annotations, interchange JSONL.")],
    pred: Annotated[Path | None, typer.Option(help="Predictions, interchange JSONL.")] = None,
    corpus: Annotated[Path | None, typer.Option(
        help="A corpus to extract first with --dossier (JSONL, folder or file), then score.")
    ] = None,
    dossier: DossierOption = "us-japan",
    details: Annotated[bool, typer.Option(
        "--details", help="Also list, per document, the gold records missed and the predicted "
                          "records that match no gold record, with their quotes.")] = False,
    mode: Annotated[str, typer.Option(
        callback=_mode, help="Matching mode of --details: strict or lenient.")] = "strict",
    as_json: JsonOption = False,
) -> None:
    """Score predictions against gold: precision, recall and F1, lenient and strict, in total,
    per indicator and per event type.

    Example: bilateral eval gold.jsonl --corpus corpus.jsonl --details --mode lenient
    """
    from bilateral.extract.interchange import ExtractReport
    from bilateral.extract.score import evaluate as run_evaluate

    if (pred is None) == (corpus is None):
        raise typer.BadParameter("give exactly one of --pred or --corpus")
    report = ExtractReport()
    if pred is not None:
        scores = run_evaluate(gold, pred=pred)
    else:
        with _progress("Extracting") as (progress, task):
            scores = run_evaluate(gold, corpus=corpus, dossier=dossier, report=report,
                                  progress=lambda done, total: progress.update(
                                      task, completed=done, total=total))
    _print_rejections(report.rejections)
    if as_json:
        print(json.dumps(scores.as_dict(details=mode if details else None), indent=2,
                         ensure_ascii=False))
    else:
        _print_scores(scores)
        if details:
            _print_details(scores, mode)
    raise typer.Exit(EXIT_PARTIAL if report.rejections else EXIT_OK)


def _print_scores(scores: Any) -> None:
    from bilateral.extract.score import KINDS, MODES

    table = Table(title=f"{scores.documents} gold documents")
    for column in ("records", "mode", "gold", "predicted", "matched", "precision", "recall",
                   "F1"):
        table.add_column(column, justify="left" if column in ("records", "mode") else "right")
    for key, tally in scores.tallies.items():
        kind, mode = key.split(".")
        table.add_row(kind, mode, *_tally_cells(tally, with_counts=True))
    out.print(table)
    for kind, label in zip(KINDS, ("indicator", "event type"), strict=True):
        rows = {mode: scores.breakdown(kind, mode) for mode in MODES}
        table = Table(title=f"{kind.capitalize()} per {label}")
        table.add_column(label, no_wrap=True)
        table.add_column("mode")
        for column in ("gold", "pred", "matched", "P", "R", "F1"):
            table.add_column(column, justify="right")
        for name in rows["lenient"]:
            for mode in MODES:
                table.add_row(name if mode == MODES[0] else "", mode,
                              *_tally_cells(rows[mode][name], with_counts=True),
                              end_section=mode == MODES[-1])
        for mode in MODES:
            table.add_row(Text("total", style="bold") if mode == MODES[0] else "", mode,
                          *_tally_cells(scores.tallies[f"{kind}.{mode}"], with_counts=True),
                          style="bold")
        out.print(table)
    if scores.missing:
        err.print(f"{len(scores.missing)} gold documents have no prediction (scored as "
                  f"predicting nothing): {', '.join(scores.missing[:10])}"
                  f"{' ...' if len(scores.missing) > 10 else ''}")
    if scores.unscored:
        err.print(f"{len(scores.unscored)} predicted documents are not in the gold file and "
                  f"were not scored: {', '.join(scores.unscored[:10])}"
                  f"{' ...' if len(scores.unscored) > 10 else ''}")


def _tally_cells(tally: Any, with_counts: bool = False) -> list[str]:
    counts = [str(tally.gold), str(tally.predicted)] if with_counts else []
    return [*counts, str(tally.matched), f"{tally.precision:.3f}", f"{tally.recall:.3f}",
            f"{tally.f1:.3f}"]


def _print_details(scores: Any, mode: str) -> None:
    documents = scores.details(mode)
    table = Table(title=f"Misses and false hits, {mode} ({len(documents)} documents)",
                  show_lines=True)
    table.add_column("document", overflow="fold")
    table.add_column("outcome", no_wrap=True)
    table.add_column("record", overflow="fold")
    table.add_column("quote", overflow="fold", ratio=1, min_width=24)
    table.add_column("lenient match" if mode == "strict" else "", overflow="fold")
    for doc in documents:
        name = doc.doc_id if doc.predicted else f"{doc.doc_id} (no prediction)"
        for outcome, items, other in (("miss", doc.misses, "predicted"),
                                      ("false hit", doc.false_hits, "gold")):
            for item in items:
                table.add_row(name, outcome, _describe(item.kind, item.record),
                              shorten(str(item.record.get("quote") or "-"), 160),
                              _difference(item, other))
    out.print(table)


def _describe(kind: str, record: dict[str, Any]) -> str:
    when = record.get("when") or "-"
    if kind == "observations":
        try:
            value = format_value(float(record.get("value")), str(record.get("unit")))
        except (TypeError, ValueError):
            value = str(record.get("value"))
        return f"{record.get('indicator')} {value} {record.get('status')} {when}"
    return f"{record.get('type')} {record.get('source')}→{record.get('target')} {when}"


def _difference(item: Any, other: str) -> str:
    """For a strict miss or false hit that the lenient pass paired: what the partner says
    differently (the status, or a time that is not compatible)."""
    from bilateral.extract.score import when_compatible

    partner = item.lenient
    if partner is None:
        return ""
    gold, predicted = (item.record, partner) if other == "predicted" else (partner, item.record)
    differ = []
    if item.kind == "observations" and gold.get("status") != predicted.get("status"):
        differ.append(f"{other} status {partner.get('status')}")
    if not when_compatible(gold.get("when"), predicted.get("when")):
        differ.append(f"{other} when {partner.get('when') or '-'}")
    return "; ".join(differ) or f"{other}: {_describe(item.kind, partner)}"


# --- queries ----------------------------------------------------------------------------------

@app.command()
def observations(
    indicator: Annotated[str | None, typer.Option(help="Indicator id.")] = None,
    status: Annotated[str | None, typer.Option(help="actual, announced, agreed, ...")] = None,
    state: Annotated[str | None, typer.Option(help="ISO3 of the state stated by or for.")] = None,
    doc: DocFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """List observations with their quotes.

    Example: bilateral observations --indicator us_tariff_japan_reciprocal --since 2025
    """
    from bilateral.records import STATUSES
    from bilateral.store import open_store

    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"{status!r} is not a status; use one of {', '.join(STATUSES)}",
                                 param_hint="--status")
    store = open_store(db)
    rows = store.observations(doc_id=_doc_id(store, doc), indicator=indicator, status=status,
                              state=_iso3(state), since=since, until=until, limit=limit)
    _emit(rows, ["doc_id", "indicator", "value", "status", "when", "actor", "quote"],
          as_json=as_json, as_csv=as_csv, title="Observations")


@app.command()
def events(
    type_: Annotated[str | None, typer.Option("--type", help="PLOVER type, e.g. CONSULT.")] = None,
    state: Annotated[str | None, typer.Option(help="ISO3 of source or target.")] = None,
    source: Annotated[str | None, typer.Option(help="ISO3 of the source.")] = None,
    target: Annotated[str | None, typer.Option(help="ISO3 of the target.")] = None,
    doc: DocFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
) -> None:
    """List coded events with their quotes.

    Example: bilateral events --type CONSULT --state JPN --since 2025-01
    """
    from bilateral.records import PLOVER_TYPES
    from bilateral.store import open_store

    if type_ is not None and type_.upper() not in PLOVER_TYPES:
        raise typer.BadParameter(f"{type_!r} is not a PLOVER type; use one of "
                                 f"{', '.join(PLOVER_TYPES)}", param_hint="--type")
    store = open_store(db)
    rows = store.events(doc_id=_doc_id(store, doc), type=type_.upper() if type_ else None,
                        state=_iso3(state), source=_iso3(source), target=_iso3(target),
                        since=since, until=until, limit=limit)
    _emit(rows, ["doc_id", "when", "type", "source", "target", "quote"],
          as_json=as_json, as_csv=as_csv, title="Events")


@app.command()
def docs(
    limit: LimitOption = 50,
    offset: Annotated[int, typer.Option(min=0, help="Rows to skip.")] = 0,
    source: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List stored documents, newest first.

    Example: bilateral docs --limit 20 --json
    """
    from bilateral.store import open_store

    store = open_store(db)
    rows = store.documents(limit=limit, offset=offset, source=source)
    _emit(rows, ["id", "published", "source", "title", "duplicate_of"], as_json=as_json,
          as_csv=False, title=f"Documents of {store.count_documents()}",
          drop_json=("text",))


@app.command()
def show(
    doc_ref: Annotated[str, typer.Argument(metavar="DOC_ID",
                                           help="Id, id prefix or the corpus's own doc_id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one document with its records, their quotes highlighted in the text.

    Example: bilateral show 3f2a9c01
    """
    from bilateral.store import open_store

    store = open_store(db)
    document = store.get_document(doc_ref)
    found_obs = store.observations(doc_id=document.id)
    found_events = store.events(doc_id=document.id)
    if as_json:
        print(json.dumps({"document": _plain(document),
                          "observations": [_plain(o) for o in found_obs],
                          "events": [_plain(e) for e in found_events]}, indent=2, default=str))
        return
    meta = Table.grid(padding=(0, 2))
    for label, value in (("id", document.id), ("title", document.title),
                         ("source", document.source), ("published", document.published),
                         ("url", document.url), ("origin", document.origin),
                         ("duplicate of", getattr(document, "duplicate_of", None))):
        if value:
            meta.add_row(Text(label, style="bold"), Text(str(value)))
    out.print(meta)
    out.print()
    out.print(highlight(document.text, [(o.start, o.end) for o in found_obs],
                        [(e.start, e.end) for e in found_events]))
    out.print()
    _emit(found_obs, ["indicator", "value", "status", "when", "quote", "rule"], as_json=False,
          as_csv=False, title="Observations (yellow)")
    _emit(found_events, ["type", "source", "target", "when", "rule"], as_json=False,
          as_csv=False, title="Events (cyan)")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words or a "quoted phrase".')],
    limit: LimitOption = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Full-text search over stored documents.

    Example: bilateral search '"host nation support"'
    """
    from bilateral.store import open_store

    hits = open_store(db).search(query, limit=limit)
    _emit(hits, ["doc_id", "score", "title", "snippet"], as_json=as_json, as_csv=False,
          title=f"Search: {query}")


@app.command()
def actors(
    unknown: Annotated[bool, typer.Option(
        "--unknown", help="List the frequent names in the stored documents that the dossier "
                          "does not know (people, organisations, groups, places), instead of "
                          "the dossier's actors.")] = False,
    min_count: Annotated[int, typer.Option(
        min=1, help="With --unknown: fewest mentions a name needs to be listed.")] = 2,
    limit: LimitOption = 50,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the dossier's actors, or with --unknown the names it does not know yet, with their
    mentions, documents and an example sentence, so the dossier can grow.

    Example: bilateral actors --unknown --min-count 3 --limit 20
    """
    from bilateral.dossier import load_dossier

    loaded = load_dossier(dossier)
    if not unknown:
        _print_actors(loaded, limit, as_json)
        return
    from bilateral.analyse.actors import as_rows, load_model, unknown_names
    from bilateral.store import open_store

    store = open_store(db)
    load_model()  # before the bar, so that a missing model fails at once
    with _progress("Reading documents", items=True) as (progress, task):
        names = unknown_names(store, loaded, min_count=min_count, limit=limit,
                              progress=lambda done, total: progress.update(
                                  task, completed=done, total=total))
    _emit(as_rows(names), ["name", "label", "mentions", "documents", "doc_id", "quote"],
          as_json=as_json, as_csv=False,
          title=f"Names the dossier {loaded.id} does not know, {min_count}+ mentions")


def _print_actors(dossier: Any, limit: int, as_json: bool) -> None:
    actors = dossier.actors[:limit]
    if as_json:
        print(json.dumps([a.model_dump(mode="json") for a in actors], indent=2,
                         ensure_ascii=False))
        return
    table = Table(title=f"Actors of {dossier.id} ({len(actors)} of {len(dossier.actors)})")
    table.add_column("id", no_wrap=True)
    table.add_column("name", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("latest role", overflow="fold")
    table.add_column("aliases", overflow="fold", ratio=1, min_width=24)
    for actor in actors:
        role = actor.role_on(None)
        since = f" from {role.start}" if role and role.start else ""
        until = f" to {role.end}" if role and role.end else ""
        table.add_row(actor.id, actor.name, actor.kind,
                      f"{role.state} {role.title or ''}{since}{until}".strip() if role else "-",
                      shorten(", ".join(actor.aliases), 110))
    out.print(table)


# --- dossier ----------------------------------------------------------------------------------

@dossier_app.command("check")
def dossier_check(
    file: Annotated[str, typer.Argument(help="Dossier file (YAML/TOML) or built-in name.")],
    as_json: JsonOption = False,
) -> None:
    """Validate a dossier; errors name the file, the entry and what is wrong.

    Example: bilateral dossier check my-dossier.yaml
    """
    from bilateral.dossier import load_dossier

    loaded = load_dossier(file)
    summary = {"id": loaded.id, "name": loaded.name, "dyad": list(loaded.dyad),
               "states": len(loaded.states), "actors": len(loaded.actors),
               "indicators": len(loaded.indicators), "event_rules": len(loaded.events)}
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        out.print(f"[green]OK[/] {escape(file)}: dossier {loaded.id!r} ({escape(loaded.name)}): "
                  f"{summary['states']} states, {summary['actors']} actors, "
                  f"{summary['indicators']} indicators, {summary['event_rules']} event rules")


# --- demo -------------------------------------------------------------------------------------

@app.command()
def demo(
    db: Annotated[Path, typer.Option(help="SQLite file to create afresh.")] = Path("out/demo.db"),
) -> None:
    """Ingest the bundled example corpus into a fresh SQLite file; print indicators and timeline.

    Example: bilateral demo --db out/demo.db
    """
    from bilateral.demo import run_demo

    result = run_demo(db, progress_factory=_progress)
    _print_ingest(result.report, None)
    _emit(result.indicators, ["indicator", "status", "value", "when", "sources", "quote"],
          as_json=False, as_csv=False,
          title="Indicators: latest value per indicator and status")
    _emit(result.timeline, ["when", "type", "source", "target", "quote"], as_json=False,
          as_csv=False, title="Timeline")
    out.print(f"Store: {result.db}  (try: bilateral docs --db sqlite:///{result.db})")


# --- output helpers ---------------------------------------------------------------------------

def _progress(label: str, *, items: bool = False):
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


def _plain(row: Any) -> dict[str, Any]:
    if is_dataclass(row):
        return asdict(row)
    if isinstance(row, dict):
        return row
    return dict(row._asdict()) if hasattr(row, "_asdict") else vars(row)


def _emit(rows: Sequence[Any], columns: list[str], *, as_json: bool, as_csv: bool, title: str,
          drop_json: Iterable[str] = ()) -> None:
    plain = [_plain(r) for r in rows]
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
    table = Table(title=f"{title} ({len(plain)})", show_lines=False, expand=False)
    for column in columns:
        wide = column in ("quote", "title", "snippet")
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
        return Text(shorten(str(value), 110))
    if column in ("doc_id", "id", "duplicate_of"):
        return Text(str(value)[:10])
    if isinstance(value, float):
        return Text(f"{value:.3g}")
    return Text(str(value))


def highlight(text: str, yellow: list[tuple[int, int]], cyan: list[tuple[int, int]]) -> Text:
    """The article with record quotes highlighted (rendered as text, never as markup)."""
    rendered = Text(text)
    for start, end in cyan:
        rendered.stylize("black on cyan", start, end)
    for start, end in yellow:
        rendered.stylize("black on yellow", start, end)
    return rendered


def _print_ingest(result: Any, report: Path | None) -> None:
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
    _print_rejections(result.rejections)
    if report:
        out.print(f"Report written to {report}")


def _print_rejections(rejections: Sequence[Any]) -> None:
    if not rejections:
        return
    table = Table(title=f"Rejected ({len(rejections)})", title_style="bold red")
    table.add_column("file or line", overflow="fold")
    table.add_column("code")
    table.add_column("reason", overflow="fold")
    for r in rejections:
        table.add_row(r.origin, r.code, r.reason)
    err.print(table)


def _iso3(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise typer.BadParameter(f"{value!r} is not an ISO3 state code such as USA or JPN")
    return value.upper()


def _doc_id(store: Any, ref: str | None) -> str | None:
    return store.get_document(ref).id if ref else None
