"""Commands over the records: ingest and extract, evaluate, list and search what is stored,
the dossier's actors and its check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bilateral.cli.shared import (
    EXIT_OK,
    EXIT_PARTIAL,
    TABLE,
    DbOption,
    DocFilter,
    DossierOption,
    JsonOption,
    LimitOption,
    ModelOption,
    Output,
    SinceOption,
    UntilOption,
    app,
    as_dict,
    check_plover,
    check_status,
    dossier_app,
    err,
    highlight,
    iso3,
    keep_answers,
    listing,
    out,
    print_ingest,
    print_rejections,
    print_table,
    progress_bar,
    resolve_doc,
    terminal_text,
    with_sentences,
)
from bilateral.report.formatting import format_value, shorten

# --- ingest and extract -----------------------------------------------------------------------

@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH", help="Files or folders (.txt .md .html .jsonl).")],
    db: DbOption = None,
    dossier: DossierOption = "us-japan",
    model: ModelOption = None,
    report: Annotated[Path | None, typer.Option(
        metavar="FILE",
        help="Write the run report (every rejected file or line and why) as JSON.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 200,
    max_bytes: Annotated[int, typer.Option(
        min=1, metavar="BYTES", help="Largest article accepted.")] = 5_000_000,
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
    with progress_bar("Ingesting") as (progress, task):
        result = run_ingest(paths, store, loaded, model=model, batch_size=batch_size,
                            max_bytes=max_bytes,
                            progress=lambda done, total: progress.update(
                                task, completed=done, total=total))
    keep_answers(store, loaded)
    if report:
        report.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print_ingest(result, report)
    raise typer.Exit(EXIT_PARTIAL if result.failed else EXIT_OK)


@app.command()
def extract(
    inputs: Annotated[list[Path], typer.Argument(
        metavar="PATH", help="A folder, files or a JSONL corpus.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", metavar="FILE",
                                           help="Interchange JSONL to write.")],
    dossier: DossierOption = "us-japan",
    model: ModelOption = None,
) -> None:
    """Extract observations and events into the interchange format, without touching the store.

    Example: bilateral extract corpus.jsonl --out predictions.jsonl
    """
    from bilateral.dossier import load_dossier
    from bilateral.extract.interchange import write_interchange

    loaded = load_dossier(dossier)
    with progress_bar("Extracting") as (progress, task):
        result = write_interchange(inputs, out_file, loaded, model=model,
                                   progress=lambda done, total:
                                   progress.update(task, completed=done, total=total))
    err.print(f"Wrote {result.documents} documents ({result.observations} observations, "
              f"{result.events} events) to {out_file}")
    print_rejections(result.rejections)
    raise typer.Exit(EXIT_PARTIAL if result.rejections else EXIT_OK)


def _annotated_set(value: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in value.split(","))
    if len(parts) not in (2, 3) or not all(parts):
        raise typer.BadParameter(f"{value!r} is not CORPUS,GOLD or CORPUS,GOLD,DOSSIER")
    return parts


@app.command()
def train(
    corpus: Annotated[Path, typer.Argument(help="The annotated corpus: JSONL, folder or file.")],
    gold: Annotated[Path, typer.Argument(help="Its gold annotations, interchange JSONL.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", metavar="DIR",
                                          help="Model directory to write.")],
    dossier: DossierOption = "us-japan",
    also: Annotated[list[str] | None, typer.Option(
        "--also", metavar="CORPUS,GOLD[,DOSSIER]",
        help="Another annotated corpus to learn from, with its gold and dossier (default: "
             "--dossier); repeat for more.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the training and of its folds.")] = 0,
    ship_trained: Annotated[list[str] | None, typer.Option(
        "--ship-trained", metavar="DECISION",
        help="Ship this decision trained whatever cross-validation says (when annotated "
             "articles kept out of training show it better); repeat for more.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Train the trainable decisions from annotated corpora and write a model directory.

    Each decision is measured by cross-validation over documents, rules against trained, and
    ships trained only where it is better (or where --ship-trained names it).
    Use the model with --model DIR on extract, ingest and eval.

    Example: bilateral train corpus.jsonl gold.jsonl --out my-model
    """
    from bilateral.extract.train import DECISIONS, FOLDS, AnnotatedSet
    from bilateral.extract.train import train as run_train

    unknown = [name for name in ship_trained or [] if name not in DECISIONS]
    if unknown:
        raise typer.BadParameter(f"no decision {', '.join(map(repr, unknown))}; the decisions "
                                 f"are {', '.join(DECISIONS)}", param_hint="--ship-trained")

    sets = [AnnotatedSet((corpus,), gold, dossier)]
    for value in also or []:
        parts = _annotated_set(value)
        sets.append(AnnotatedSet((Path(parts[0]),), Path(parts[1]),
                                 parts[2] if len(parts) == 3 else dossier))
    with progress_bar("Training", items=True) as (progress, task):
        report = run_train(sets, out_dir, seed=seed, force=ship_trained or (),
                           progress=lambda done, total:
                           progress.update(task, completed=done, total=total))
    if as_json:
        print(json.dumps({"out": str(out_dir), "documents": report.documents,
                          "examples": report.examples, "accuracy": report.accuracy,
                          "shipped": report.shipped,
                          "skipped": report.skipped, "data_sha256": report.data_sha256},
                         indent=2))
        raise typer.Exit(EXIT_OK)
    table = Table(title=f"{report.documents} documents; accuracy (event_type, indicator: F1 "
                        f"of the records kept) by {FOLDS}-fold cross-validation over documents")
    for column in ("decision", "examples", "rules", "trained", "shipped"):
        table.add_column(column, justify="left" if column in ("decision", "shipped")
                         else "right")
    for decision, accuracy in report.accuracy.items():
        table.add_row(decision, str(report.examples.get(decision, 0)),
                      f"{accuracy['rules']:.3f}", f"{accuracy['trained']:.3f}",
                      report.shipped.get(decision, "rules"))
    out.print(table)
    for skipped in report.skipped:
        err.print(terminal_text(f"skipped {skipped}"))
    err.print(f"Wrote the model to {out_dir}")


@app.command()
def reextract(
    db: DbOption = None,
    dossier: DossierOption = "us-japan",
    model: ModelOption = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """Extract the stored documents again, replacing their observations and events.

    The current extractor and --dossier are used. Each batch is replaced in one transaction;
    records carry the extractor version and the dossier's content hash. A document the
    extractor fails on keeps its records and is listed as rejected (exit code 3).

    Example: bilateral reextract --db sqlite:///news.db --dossier my-dossier.yaml
    """
    from bilateral.dossier import load_dossier
    from bilateral.ingest.reextract import reextract as run_reextract
    from bilateral.store import open_store

    loaded = load_dossier(dossier)
    store = open_store(db)
    with progress_bar("Re-extracting", items=True) as (progress, task):
        result = run_reextract(store, loaded, batch_size=batch_size, model=model,
                               progress=lambda done, total: progress.update(
                                   task, completed=done, total=total))
    keep_answers(store, loaded)
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        table = Table(title="Re-extraction", show_header=False)
        table.add_column(justify="left")
        table.add_column(justify="right")
        for label, value in (("documents read", result.documents),
                             ("records replaced for", result.replaced),
                             ("observations", f"{result.observations:,} (were "
                                              f"{result.removed_observations:,})"),
                             ("events", f"{result.events:,} (were {result.removed_events:,})"),
                             ("rejected documents", len(result.rejections)),
                             ("extractor", result.extractor_version),
                             ("dossier sha256", (result.dossier_sha256 or "")[:16])):
            table.add_row(label, terminal_text(f"{value:,}" if isinstance(value, int)
                                               else value))
        out.print(table)
        print_rejections(result.rejections)
    raise typer.Exit(EXIT_PARTIAL if result.failed else EXIT_OK)


def _mode(value: str) -> str:
    if value not in ("strict", "lenient"):
        raise typer.BadParameter(f"{value!r} is not a mode; use strict or lenient")
    return value


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold annotations, interchange JSONL.")],
    pred: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Predictions, interchange JSONL.")] = None,
    corpus: Annotated[Path | None, typer.Option(
        metavar="PATH",
        help="A corpus to extract first with --dossier (JSONL, folder or file), then score.")
    ] = None,
    dossier: DossierOption = "us-japan",
    model: ModelOption = None,
    details: Annotated[bool, typer.Option(
        "--details", help="Also list, per document, the gold records missed and the predicted "
                          "records that match no gold record, with their quotes.")] = False,
    mode: Annotated[str, typer.Option(
        callback=_mode, metavar="MODE",
        help="Matching mode of --details: strict or lenient.")] = "strict",
    as_json: JsonOption = False,
) -> None:
    """Score predictions against gold: precision, recall and F1, lenient and strict.

    Scores are given in total, per indicator and per event type.

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
        with progress_bar("Extracting") as (progress, task):
            scores = run_evaluate(gold, corpus=corpus, dossier=dossier, model=model,
                                  report=report,
                                  progress=lambda done, total: progress.update(
                                      task, completed=done, total=total))
    print_rejections(report.rejections)
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
        err.print(terminal_text(
            f"{len(scores.missing)} gold documents have no prediction (scored as predicting "
            f"nothing): {', '.join(scores.missing[:10])}"
            f"{' ...' if len(scores.missing) > 10 else ''}"))
    if scores.unscored:
        err.print(terminal_text(
            f"{len(scores.unscored)} predicted documents are not in the gold file and were "
            f"not scored: {', '.join(scores.unscored[:10])}"
            f"{' ...' if len(scores.unscored) > 10 else ''}"))


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
                table.add_row(terminal_text(name), outcome,
                              terminal_text(_describe(item.kind, item.record)),
                              terminal_text(shorten(str(item.record.get("quote") or "-"), 160)),
                              terminal_text(_difference(item, other)))
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

def _fields(record_type: type, *extra: str) -> list[str]:
    """CSV columns of a record type: its fields in order, then ``extra``."""
    from dataclasses import fields

    return [f.name for f in fields(record_type)] + list(extra)


@app.command()
@listing
def observations(
    indicator: Annotated[str | None, typer.Option(metavar="ID", help="Indicator id.")] = None,
    status: Annotated[str | None, typer.Option(
        callback=check_status, metavar="STATUS", help="actual, announced, agreed, ...")] = None,
    state: Annotated[str | None, typer.Option(
        metavar="ISO3", help="ISO3 of the state stated by or for.")] = None,
    doc: DocFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = 100,
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """List observations with their quotes.

    Example: bilateral observations --indicator us_tariff_japan_reciprocal --since 2025 --csv
    """
    from bilateral.records import Observation
    from bilateral.store import open_store

    store = open_store(db, create=False)
    found = store.observations(doc_id=resolve_doc(store, doc), indicator=indicator,
                               status=status, state=iso3(state), since=since, until=until,
                               limit=limit)
    output.emit(with_sentences(store, found, table=output.table),
                ["doc_id", "indicator", "value", "status", "when", "actor", "sentence"],
                fields=_fields(Observation, "sentence", "mark"),
                title="Observations, the quote [in brackets]")


@app.command()
@listing
def events(
    type_: Annotated[str | None, typer.Option(
        "--type", callback=check_plover, metavar="TYPE", help="PLOVER type, e.g. CONSULT.")
    ] = None,
    state: Annotated[str | None, typer.Option(
        metavar="ISO3", help="ISO3 of source or target.")] = None,
    source: Annotated[str | None, typer.Option(metavar="ISO3", help="ISO3 of the source.")] = None,
    target: Annotated[str | None, typer.Option(metavar="ISO3", help="ISO3 of the target.")] = None,
    doc: DocFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = 100,
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """List coded events with their quotes.

    Example: bilateral events --type CONSULT --state JPN --since 2025-01 --jsonl
    """
    from bilateral.records import Event
    from bilateral.store import open_store

    store = open_store(db, create=False)
    found = store.events(doc_id=resolve_doc(store, doc), type=type_,
                         state=iso3(state), source=iso3(source), target=iso3(target),
                         since=since, until=until, limit=limit)
    output.emit(with_sentences(store, found, table=output.table),
                ["doc_id", "when", "type", "source", "target", "sentence"],
                fields=_fields(Event, "sentence", "mark"),
                title="Events, the quote [in brackets]")


@app.command()
@listing
def docs(
    limit: LimitOption = 50,
    offset: Annotated[int, typer.Option(min=0, metavar="N", help="Rows to skip.")] = 0,
    source: Annotated[str | None, typer.Option(metavar="OUTLET",
                                               help="Only this outlet.")] = None,
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """List stored documents, newest first.

    Example: bilateral docs --limit 20 --json
    """
    from bilateral.store import StoredDocument, open_store

    store = open_store(db, create=False)
    rows = [{k: v for k, v in as_dict(d).items() if k != "text"}
            for d in store.documents(limit=limit, offset=offset, source=source,
                                     with_text=False)]
    output.emit(rows, ["id", "published", "source", "title", "duplicate_of"],
                fields=[f for f in _fields(StoredDocument) if f != "text"],
                title=f"Documents of {store.count_documents()}")


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

    store = open_store(db, create=False)
    document = store.get_document(doc_ref)
    found_obs = store.observations(doc_id=document.id)
    found_events = store.events(doc_id=document.id)
    texts = {document.id: document.text}
    if as_json:
        print(json.dumps({"document": as_dict(document),
                          "observations": with_sentences(store, found_obs, table=False,
                                                         texts=texts),
                          "events": with_sentences(store, found_events, table=False,
                                                   texts=texts)}, indent=2, default=str))
        return
    meta = Table.grid(padding=(0, 2))
    for label, value in (("id", document.id), ("title", document.title),
                         ("source", document.source), ("published", document.published),
                         ("url", document.url), ("origin", document.origin),
                         ("duplicate of", getattr(document, "duplicate_of", None))):
        if value:
            meta.add_row(Text(label, style="bold"), terminal_text(value))
    out.print(meta)
    out.print()
    out.print(highlight(document.text, [(o.start, o.end) for o in found_obs],
                        [(e.start, e.end) for e in found_events]))
    out.print()
    print_table(with_sentences(store, found_obs, table=True, texts=texts),
                ["indicator", "value", "status", "when", "sentence", "rule"],
                title="Observations (yellow), the quote [in brackets]")
    print_table(found_events, ["type", "source", "target", "when", "rule"],
                title="Events (cyan)")


@app.command()
@listing
def search(
    query: Annotated[str, typer.Argument(metavar="QUERY", help='Words or a "quoted phrase".')],
    limit: LimitOption = 20,
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """Full-text search over stored documents.

    Example: bilateral search '"host nation support"'
    """
    from bilateral.store import SearchHit, open_store

    hits = open_store(db, create=False).search(query, limit=limit)
    output.emit(hits, ["doc_id", "score", "title", "snippet"], fields=_fields(SearchHit),
                title=f"Search: {query}")


@app.command()
@listing
def actors(
    unknown: Annotated[bool, typer.Option(
        "--unknown", help="List the frequent names in the stored documents that the dossier "
                          "does not know (people, organisations, groups, places), instead of "
                          "the dossier's actors.")] = False,
    min_count: Annotated[int, typer.Option(
        min=1, metavar="N",
        help="With --unknown: fewest mentions a name needs to be listed.")] = 2,
    limit: LimitOption = 50,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """List the dossier's actors, or with --unknown the names it does not know yet.

    Unknown names come with their mentions, documents and an example sentence, so the dossier
    can grow.

    Example: bilateral actors --unknown --min-count 3 --limit 20
    """
    from bilateral.dossier import load_dossier

    loaded = load_dossier(dossier)
    if not unknown:
        _print_actors(loaded, limit, output)
        return
    from bilateral.analyse.actors import as_rows, load_model, unknown_names
    from bilateral.store import open_store

    store = open_store(db, create=False)
    load_model()  # before the bar, so that a missing model fails at once
    with progress_bar("Reading documents", items=True) as (progress, task):
        names = unknown_names(store, loaded, min_count=min_count, limit=limit,
                              progress=lambda done, total: progress.update(
                                  task, completed=done, total=total))
    output.emit(as_rows(names), ["name", "label", "mentions", "documents", "doc_id", "quote"],
                fields=["name", "label", "mentions", "documents", "doc_id", "quote",
                        "variants"],
                title=f"Names the dossier {loaded.id} does not know, {min_count}+ mentions")


def _print_actors(dossier: Any, limit: int, output: Output) -> None:
    actors = dossier.actors[:limit]
    if not output.table:
        rows = []
        for actor in actors:
            role = actor.role_on(None)
            rows.append({"id": actor.id, "name": actor.name, "kind": actor.kind,
                         "state": role.state if role else None,
                         "title": role.title if role else None,
                         "start": role.start if role else None,
                         "end": role.end if role else None, "aliases": list(actor.aliases)})
        output.write([a.model_dump(mode="json") for a in actors], rows=rows,
                     fields=["id", "name", "kind", "state", "title", "start", "end",
                             "aliases"])
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
    file: Annotated[str, typer.Argument(
        metavar="FILE", help="Dossier file (YAML/TOML) or built-in name.")],
    as_json: JsonOption = False,
) -> None:
    """Check a dossier: errors (it cannot be used) and warnings (probably a mistake), each
    naming the file, the entry and the fix. Exit code 1 when there are errors.

    Example: bilateral dossier check my-dossier.yaml
    """
    from bilateral.dossier import check_dossier
    from bilateral.errors import DossierError
    from bilateral.limits import printable

    checked = check_dossier(file)
    loaded = checked.dossier
    summary: dict[str, Any] = {"file": checked.source, "ok": not checked.errors}
    if loaded is not None:
        summary.update(id=loaded.id, name=loaded.name, dyad=list(loaded.dyad),
                       states=len(loaded.states), actors=len(loaded.actors),
                       indicators=len(loaded.indicators), event_rules=len(loaded.events))
    if as_json:
        summary.update({kind: [{"entry": f.entry, "message": f.message} for f in found]
                        for kind, found in (("errors", checked.errors),
                                            ("warnings", checked.warnings))})
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        for finding in checked.findings:
            colour = "red" if finding.severity == "error" else "yellow"
            out.print(f"[{colour}]{finding.severity}[/] {escape(printable(checked.source))}: "
                      f"{escape(printable(str(finding)))}", soft_wrap=True)
        if loaded is not None and not checked.errors:
            warned = f", {len(checked.warnings)} warning(s)" if checked.warnings else ""
            out.print(f"[green]OK[/] {escape(file)}: dossier {loaded.id!r} "
                      f"({escape(loaded.name)}): {summary['states']} states, "
                      f"{summary['actors']} actors, {summary['indicators']} indicators, "
                      f"{summary['event_rules']} event rules{warned}")
    if checked.errors:
        raise DossierError(f"{checked.source}: {len(checked.errors)} error(s) in the dossier; "
                           f"fix the entries listed above")
