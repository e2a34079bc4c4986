"""Commands that answer from the store: current values and histories of indicators, disputes,
the merged timeline, the relations index, the brief, and the demo that ends with one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from bilateral.cli.shared import (
    TABLE,
    DbOption,
    DossierOption,
    LimitOption,
    Output,
    SinceOption,
    UntilOption,
    app,
    check_date,
    check_plover,
    check_status,
    err,
    iso3,
    listing,
    out,
    print_ingest,
    print_table,
    progress_bar,
    terminal_text,
)
from bilateral.limits import printable


def _claim_row(claim: Any, **extra: Any) -> dict[str, Any]:
    first = claim.quote
    return {**extra, "status": claim.status, "value": claim.value, "unit": claim.unit,
            "when": claim.when, "sources": claim.sources, "doc_id": first.doc.label,
            "quote": first.quote}


#: CSV columns of a claim, after those of the command.
_CLAIM_FIELDS = ["status", "value", "unit", "when", "sources", "doc_id", "quote"]


@app.command()
@listing
def indicators(
    status: Annotated[str | None, typer.Option(
        callback=check_status, metavar="STATUS",
        help="Only this status (actual, announced, agreed, ...).")] = None,
    key: Annotated[bool, typer.Option("--key", help="Only the dossier's key indicators.")] = False,
    since: SinceOption = None,
    until: UntilOption = None,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """The current value of every indicator per status, with its sources.

    Reports are merged across documents, near-duplicate copies count once, and "!" marks a
    value the sources disagree on.

    Example: bilateral indicators --key
    """
    from bilateral.analyse import current_values, disputes, histories
    from bilateral.dossier import load_dossier
    from bilateral.report.plain import claim_dict
    from bilateral.store import open_store

    stories = [h for h in histories(open_store(db, create=False), load_dossier(dossier),
                                    since=since, until=until) if h.key or not key]
    current = [v for v in current_values(stories, disputes(stories))
               if status is None or v.status == status]
    rows = [_claim_row(v.claim, indicator=v.history.indicator, name=v.history.name,
                       disputed=v.disputed) for v in current]
    output.emit(rows, ["indicator", "status", "value", "when", "sources", "disputed", "doc_id",
                       "quote"],
                fields=["indicator", "name", *_CLAIM_FIELDS, "disputed"],
                items=[{**claim_dict(v.claim), "name": v.history.name, "disputed": v.disputed}
                       for v in current],
                title="Current value per indicator and status")


@app.command()
@listing
def indicator(
    indicator_id: Annotated[str, typer.Argument(metavar="ID", help="Indicator id.")],
    status: Annotated[str | None, typer.Option(
        callback=check_status, metavar="STATUS", help="Only this status.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """The history of one indicator: every claim in time order, with its sources.

    --json prints the history as one object (claims, current values, revisions); --jsonl and
    --csv one claim a line.

    Example: bilateral indicator us_tariff_japan_reciprocal --csv
    """
    from bilateral.analyse import histories, revisions
    from bilateral.dossier import load_dossier
    from bilateral.report.plain import claim_dict, history_dict
    from bilateral.store import open_store

    fields = ["indicator", *_CLAIM_FIELDS, "reports", "revised"]
    loaded = load_dossier(dossier)
    found = histories(open_store(db, create=False), loaded, indicator=indicator_id,
                      since=since, until=until)
    if not found:
        known = loaded.indicator(indicator_id)
        if known is None:
            listed = ", ".join(i.id for i in loaded.indicators)
            raise typer.BadParameter(f"{indicator_id!r} is not an indicator of the dossier "
                                     f"{loaded.id}; use one of {listed}", param_hint="ID")
        (out if output.table else err).print(
            f"No values of {indicator_id} in the store"
            f"{' for that period' if since or until else ''}.")
        if not output.table:
            output.write([], fields=fields, document={
                "indicator": known.id, "name": known.name, "unit": known.unit,
                "key": known.key, "current": {}, "claims": [], "revisions": []})
        return
    history = found[0]
    revised = revisions(found)
    steps = {c.id: f"{n}{'<' if i == 0 else '>'}" for n, r in enumerate(revised, 1)
             for i, c in enumerate((r.before, r.after))}
    claims = [c for c in history.claims if status is None or c.status == status]
    rows = [_claim_row(c, indicator=history.indicator, reports=len(c.reports),
                       revised=steps.get(c.id, "")) for c in claims]
    output.emit(rows, ["when", "status", "value", "sources", "reports", "revised", "doc_id",
                       "quote"],
                fields=fields, items=[claim_dict(c) for c in claims],
                document=history_dict(history, revised=revised),
                title=f"{history.name} ({history.indicator})")
    if output.table:
        for n, r in enumerate(revised, 1):
            out.print(terminal_text(
                f"Revision {n} ({r.status}): {_step(r.before, history.unit)} (published "
                f"{r.before.last_reported or '?'}) revised to {_step(r.after, history.unit)} "
                f"(published {r.after.last_reported or '?'})"))


def _histories(db: str | None, dossier: str, indicator_id: str | None, since: str | None,
               until: str | None) -> list[Any]:
    """The indicator histories that disputes and revisions are read from."""
    from bilateral.analyse import histories
    from bilateral.dossier import load_dossier
    from bilateral.store import open_store

    return histories(open_store(db, create=False), load_dossier(dossier),
                     indicator=indicator_id, since=since, until=until)


def _step(claim: Any, unit: str) -> str:
    from bilateral.report.formatting import format_value

    return f"{format_value(claim.value, unit)} for {claim.when or 'undated'}"


IndicatorFilter = Annotated[str | None, typer.Option(
    "--indicator", metavar="ID", help="Indicator id.")]


@app.command("disputes")
@listing
def list_disputes(
    indicator_id: IndicatorFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """Where the sources disagree, each side with its quote and sources.

    The same indicator, status and time with different values, or the same value attached to
    different times, stated at about the same time. A figure its source changed over time is a
    revision, listed by `bilateral revisions`, not here. --csv has one row per side.

    Example: bilateral disputes --indicator japan_investment_pledge_usd
    """
    from bilateral.analyse import disputes
    from bilateral.report.plain import dispute_dict

    found = disputes(_histories(db, dossier, indicator_id, since, until))
    rows = [_claim_row(c, dispute=n, indicator=d.indicator, kind=d.kind)
            for n, d in enumerate(found, 1) for c in d.claims]
    output.emit(rows, ["dispute", "indicator", "kind", "status", "value", "when", "sources",
                       "doc_id", "quote"],
                fields=["dispute", "indicator", "kind", *_CLAIM_FIELDS],
                items=[dispute_dict(d) for d in found],
                title=f"Disputes ({len(found)}), each side on its own row")


@app.command("revisions")
@listing
def list_revisions(
    indicator_id: IndicatorFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """Figures a source changed over time: a target brought forward, a rate lowered.

    Each revision's values in the order they were published, each with its quote; the rule
    that tells a revision from a dispute is in bilateral.analyse.disputes. --csv has one row
    per value.

    Example: bilateral revisions --indicator japan_defense_spending_gdp
    """
    from bilateral.analyse import revisions
    from bilateral.report.plain import revision_dict

    found = revisions(_histories(db, dossier, indicator_id, since, until))
    rows = [_claim_row(c, revision=n, indicator=r.indicator, kind=r.kind,
                       step="from" if i == 0 else "to" if i == len(r.steps) - 1 else "then",
                       last_reported=c.last_reported or None)
            for n, r in enumerate(found, 1) for i, c in enumerate(r.steps)]
    output.emit(rows, ["revision", "indicator", "kind", "step", "status", "value", "when",
                       "last_reported", "doc_id", "quote"],
                fields=["revision", "indicator", "kind", "step", *_CLAIM_FIELDS,
                        "last_reported"],
                items=[revision_dict(r) for r in found],
                title=f"Revisions ({len(found)}), each value on its own row, oldest first")


@app.command("timeline")
@listing
def show_timeline(
    state: Annotated[str | None, typer.Option(
        metavar="ISO3", help="ISO3 of source or target.")] = None,
    type_: Annotated[str | None, typer.Option(
        "--type", callback=check_plover, metavar="TYPE", help="PLOVER type, e.g. CONSULT.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    min_sources: Annotated[int, typer.Option(
        min=1, metavar="N", help="Only events reported by at least this many documents.")] = 1,
    limit: LimitOption = 100,
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """Events merged across documents: one row per real-world event, with its sources.

    Reports of the same type between the same pair of states at the same date (at the
    precision given) are one event; the latest --limit rows are shown.

    Example: bilateral timeline --state JPN --type CONSULT --since 2025-01
    """
    from bilateral.analyse import timeline
    from bilateral.report.plain import entry_dict
    from bilateral.store import open_store

    entries = timeline(open_store(db, create=False), state=iso3(state), type=type_,
                       since=since, until=until, min_sources=min_sources)[-limit:]
    rows = [{"id": e.id, "when": e.when, "type": e.type, "source": e.source,
             "target": e.target, "sources": e.sources, "doc_id": e.quote.doc.label,
             "quote": e.quote.quote} for e in entries]
    output.emit(rows, ["when", "type", "source", "target", "sources", "doc_id", "quote"],
                fields=["id", "when", "type", "source", "target", "sources", "doc_id",
                        "quote"],
                items=[entry_dict(e) for e in entries], title="Timeline")


@app.command("index")
@listing
def relations(
    state: Annotated[str | None, typer.Option(
        metavar="ISO3", help="Only dyads with this ISO3 state.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    dyads: Annotated[int, typer.Option(min=1, metavar="N", help="Dyads to show at most.")] = 4,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    output: Output = TABLE,
) -> None:
    """The monthly cooperation–conflict index per directed dyad, with its event counts.

    A month's score is the sum of the dossier's PLOVER weights of its events, each real-world
    event counted once. --jsonl has one dyad a line, --csv one row per dyad and month.

    Example: bilateral index --since 2025-01 --dyads 2
    """
    from bilateral.analyse import relations_index
    from bilateral.dossier import load_dossier
    from bilateral.report.plain import index_dict
    from bilateral.store import open_store

    found = relations_index(open_store(db, create=False), load_dossier(dossier),
                            state=iso3(state), since=since, until=until)[:dyads]
    if not output.table:
        dyad_rows = [index_dict(d) for d in found]
        output.write(dyad_rows, rows=[
            {"source": d["source"], "target": d["target"], **month}
            for d in dyad_rows for month in d["months"]],
            fields=["source", "target", "month", "score", "events", "cooperation", "conflict",
                    "mean"])
        return
    if not found:
        out.print("No dated events in the store for that selection.")
        return
    table = Table(title="Relations index: score (events) per month; + cooperation, - conflict")
    table.add_column("month", no_wrap=True)
    for dyad_index in found:
        table.add_column(dyad_index.label, justify="right", no_wrap=True)
    for n, month in enumerate(found[0].months):
        cells = [dyad_index.months[n] for dyad_index in found]
        if any(c.events for c in cells):
            table.add_row(month.month, *(Text(f"{c.score:+g} ({c.events})",
                                              style=_tone(c.score)) if c.events
                                         else Text("·", style="dim") for c in cells))
    table.add_row("trend", *(_trend(d) for d in found), end_section=True)
    out.print(table)


def _tone(score: float) -> str:
    return "green" if score > 0 else "red" if score < 0 else ""


def _trend(dyad_index: Any) -> Text:
    """The last three months against the three before, in words."""
    trend, word = dyad_index.trend(), dyad_index.tone()
    if trend is None:
        return Text("-", style="dim")
    return Text(f"{word} {trend:+.1f}", style=_tone(trend) if word != "steady" else "")


def _check_forecast_model(value: str) -> str:
    from bilateral.forecast.models import MODELS

    if value not in MODELS:
        raise typer.BadParameter(f"{value!r} is not a model; use one of "
                                 f"{', '.join(MODELS)}",
                                 param_hint="--forecast-model")
    return value


def _check_forecast_runs(value: int) -> int:
    from bilateral.report.negotiations import MAX_RUNS

    if value == 1 or not 0 <= value <= MAX_RUNS:
        raise typer.BadParameter(f"{value} is not a number of runs; use 0 (no interval) or "
                                 f"2 to {MAX_RUNS:,}", param_hint="--forecast-runs")
    return value


@app.command()
def brief(
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE",
        help="Write the brief here: .html, .pdf (needs Chromium or Chrome) or .md. Without "
             "it, Markdown goes to the terminal.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_of: Annotated[str | None, typer.Option(
        callback=check_date, metavar="DATE",
        help="What counts as pending is dated after this (YYYY[-MM[-DD]]); default: the end "
             "of --until, else the newest article.")] = None,
    min_sources: Annotated[int, typer.Option(
        min=1, metavar="N", help="Only figures and events reported by at least this many documents "
                    "(near-duplicate copies count once).")] = 1,
    forecast_model: Annotated[str, typer.Option(
        "--forecast-model", callback=_check_forecast_model, metavar="bdm|smp|mean|median",
        help="The model that forecasts the dossier's negotiations (see bilateral forecast).")
    ] = "bdm",
    forecast_runs: Annotated[int, typer.Option(
        "--forecast-runs", callback=_check_forecast_runs, metavar="N",
        help="Monte Carlo runs behind each forecast's 80% interval, 0 for none (at most "
             "1,000); their seed is fixed, so the same store gives the same brief.")] = 200,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
) -> None:
    """The analyst brief, as HTML, PDF or Markdown.

    Headline figures with their sources, a step chart per key indicator, the relations index,
    the timeline, disputes, what is pending, where the dossier's negotiations are heading
    (each forecast beside its baselines, with its inputs and their sources), and every source.

    Example: bilateral brief --since 2025-01 --out brief.html
    """
    from bilateral.analyse.periods import last_day
    from bilateral.dossier import load_dossier
    from bilateral.report import build_brief, render_markdown, write_brief
    from bilateral.store import open_store

    made = build_brief(open_store(db, create=False), load_dossier(dossier), since=since,
                       until=until, as_of=last_day(as_of) if as_of else None,
                       min_sources=min_sources, forecast_model=forecast_model,
                       forecast_runs=forecast_runs)
    if out_file is None:
        text = render_markdown(made)
        if out.is_terminal:
            from rich.markdown import Markdown

            out.print(Markdown(printable(text)))
        else:
            print(text)
        return
    written = write_brief(made, out_file)
    out.print(f"Brief written to {written}")


# --- demo -------------------------------------------------------------------------------------

@app.command()
def demo(
    db: Annotated[Path, typer.Option(metavar="FILE", help="SQLite file to create afresh.")
                  ] = Path("out/demo.db"),
) -> None:
    """Ingest the bundled example corpus, print its headline figures and write its brief.

    The store is a fresh SQLite file; the brief is brief.html beside it.

    Example: bilateral demo --db out/demo.db
    """
    from bilateral.demo import run_demo

    result = run_demo(db, progress_factory=progress_bar)
    print_ingest(result.report, None)
    rows = [_claim_row(h.claim, name=h.history.name, disputed=h.disputed)
            for h in result.brief.headline]
    print_table(rows, ["name", "status", "value", "when", "sources", "disputed"],
                title="Headline figures (! where sources disagree)")
    out.print(f"Store: {result.db}  (quotes and histories: bilateral indicators --db "
              f"sqlite:///{result.db})")
    out.print(f"Brief: {result.brief_path}  (open it in a browser; for a PDF: bilateral brief "
              f"--db sqlite:///{result.db} --out brief.pdf)")
