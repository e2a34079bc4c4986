"""The forecast commands: where a negotiation is heading (``forecast``) and how such forecasts
did on negotiations that have ended (``backtest``); see ``bilateral.forecast``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from rich.text import Text

from bilateral.cli.shared import DbOption, DossierOption, JsonOption, app, err, out, progress_bar
from bilateral.forecast.models import MODELS

Model = Literal[MODELS]  # type: ignore[valid-type]
FileFormat = Literal["bdm", "ktab", "decide"]
#: A long run's table shows its first and last rounds this many each.
SHOWN_ROUNDS = 5

ModelChoice = Annotated[Model, typer.Option(
    "--model", "-m", metavar="bdm|smp|mean|median",
    help="bdm: Bueno de Mesquita's expected-utility model; smp: KTAB's spatial model of "
         "politics; mean, median: the capability×salience-weighted baselines.")]
RoundsOption = Annotated[int | None, typer.Option(
    min=1, metavar="N", help="Rounds to play (default: until positions stop moving).")]
RunsOption = Annotated[int, typer.Option(
    min=0, metavar="N", help="Monte Carlo runs over the inputs' uncertainty, for the median "
                             "forecast and its 80% interval (0: none).")]
SeedOption = Annotated[int | None, typer.Option(
    metavar="S", help="Seed of the random draws: the same seed gives the same output.")]


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a day; write YYYY-MM-DD",
                                 param_hint="--as-of") from None


@app.command("forecast")
def forecast_command(
    target: Annotated[str, typer.Argument(
        metavar="FILE|ISSUE",
        help="A scenario file (a BDM table actor,capability,position,salience; KTAB's CSV; "
             "the exchange model's #A/#P/#M/#D file) or the id of a negotiation of the "
             "dossier, e.g. reciprocal-tariff.")],
    model: ModelChoice = "bdm",
    rounds: RoundsOption = None,
    runs: RunsOption = 0,
    seed: SeedOption = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE",
        help="ISSUE: positions from reporting published before this day (YYYY-MM-DD).")
    ] = None,
    dimension: Annotated[list[str] | None, typer.Option(
        metavar="NAME", help="FILE: only this dimension (issue); repeat for several.")] = None,
    file_format: Annotated[FileFormat | None, typer.Option(
        "--format", metavar="bdm|ktab|decide",
        help="FILE: its format, when the content does not show it.")] = None,
    noise: Annotated[float, typer.Option(
        min=0.0, max=1.0, metavar="F",
        help="FILE with --runs: inputs vary by ± this fraction (files state no uncertainty).")
    ] = 0.1,
    no_store: Annotated[bool, typer.Option(
        "--no-store", help="ISSUE: positions from the dossier alone, without a store.")
    ] = False,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast where a negotiation's positions are heading, beside the baselines.

    Prints the inputs (for a dossier issue, each position with the quote or report it came
    from), the median and mean position per round, the final positions, and the forecast
    beside the weighted mean, weighted median and capability mean; with --runs, the median
    and 80% interval of each over draws of the uncertain inputs.

    Example: bilateral forecast reciprocal-tariff --as-of 2025-06-30 --runs 200 --seed 1
    """
    from bilateral.forecast.models import forecast

    when = _as_of(as_of)
    path = Path(target)
    with progress_bar("Monte Carlo runs", items=True) as (bar, task):
        if runs:
            bar.update(task, total=runs)

        def step(done: int) -> None:
            bar.update(task, completed=done)

        if path.is_file():
            from bilateral.forecast.files import read_scenario

            if when is not None:
                raise typer.BadParameter("a file states its own positions; --as-of applies "
                                         "to dossier issues", param_hint="--as-of")
            scenario = read_scenario(path, format=file_format, issues=dimension or None)
            made = forecast(scenario, model, rounds=rounds, runs=runs, seed=seed, noise=noise,
                            progress=step)
        else:
            from bilateral.dossier import load_dossier
            from bilateral.forecast.issues import forecast_issue

            if dimension or file_format:
                raise typer.BadParameter(f"no file {target!r}; --dimension and --format "
                                         f"apply to files", param_hint="FILE|ISSUE")
            store = None
            if not no_store:
                from bilateral.store import open_store

                store = open_store(db, create=False)
            made = forecast_issue(load_dossier(dossier), target, store, as_of=when,
                                  model=model, rounds=rounds, runs=runs, seed=seed,
                                  progress=step)
    if as_json:
        out.print_json(json.dumps(made.as_json(), ensure_ascii=False))
        return
    print_forecast(made.as_json())


@app.command("backtest")
def backtest_command(
    model: ModelChoice = "bdm",
    rounds: RoundsOption = None,
    runs: RunsOption = 0,
    seed: SeedOption = None,
    issue: Annotated[list[str] | None, typer.Option(
        metavar="ID", help="Only this issue; repeat for several.")] = None,
    no_store: Annotated[bool, typer.Option(
        "--no-store", help="Positions from the dossier alone, without a store.")] = False,
    dossier: DossierOption = "us-japan",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast each concluded negotiation of the dossier as of a date before its outcome,
    and print forecast, baselines and the actual outcome side by side.

    Inputs come only from reporting published before each issue's backtest date, each cited
    (see forecast --json); nothing is tuned to the outcome.

    Example: bilateral backtest --model bdm --runs 200 --seed 1
    """
    from bilateral.dossier import load_dossier
    from bilateral.forecast.backtest import backtests

    store = None
    if not no_store:
        from bilateral.store import open_store

        store = open_store(db, create=False)
    loaded = load_dossier(dossier)
    if issue:
        known = {n.id for n in loaded.negotiations}
        unknown = [i for i in issue if i not in known]
        if unknown:
            raise typer.BadParameter(f"no negotiation {', '.join(unknown)} in dossier "
                                     f"{loaded.id}; it has {', '.join(sorted(known))}",
                                     param_hint="--issue")
    results = backtests(loaded, store, model=model, rounds=rounds, runs=runs, seed=seed,
                        issues=issue, progress=lambda i: err.print(f"Backtesting {i}",
                                                                   style="dim")
                        if err.is_terminal else None)
    if as_json:
        out.print_json(json.dumps([r.as_json() for r in results], ensure_ascii=False))
        return
    if not results:
        out.print(f"Dossier {loaded.id} has no negotiation with an outcome and a backtest "
                  f"date.")
        return
    runs_note = f"; under it, the 80% interval of {runs} runs" if runs else ""
    table = Table(title=f"Backtests: {model} forecast as of a date before the outcome, "
                        f"beside the baselines (absolute error in brackets{runs_note})")
    widest = max(len(r.issue_id) for r in results)
    for column in ("issue", model, "weighted mean", "weighted median", "capability mean"):
        table.add_column(column, justify="left" if column == "issue" else "right",
                         min_width=widest if column == "issue" else None)
    for result in results:
        made = result.as_json()
        errors = result.errors()
        interval = made["interval"]

        def cell(value: float, error: float, band: dict[str, Any] | None = None) -> str:
            text = f"{value:.1f} ({error:.1f})"
            if band is not None:
                text += f"\n{band['low']:.1f}–{band['high']:.1f}"
            return text

        table.add_row(
            f"{made['issue']['id']}\nas of {made['as_of']}\nactual {result.actual:g} "
            f"(status quo {made['status_quo']['value']:g})",
            cell(made["forecast"], errors["model"], interval and interval["forecast"]),
            *(cell(made["baselines"][name], errors[name],
                   interval and interval["baselines"][name])
              for name in ("weighted_mean", "weighted_median", "capability_mean")))
    out.print(table)


def print_forecast(made: dict[str, Any]) -> None:
    """The forecast as tables: inputs, rounds, then forecast beside the baselines."""
    one = not isinstance(made["forecast"], list)
    dims = made["dimensions"]
    title = made.get("issue", {}).get("name") or made["scenario"]
    if made.get("inputs"):
        scale = made["issue"]["scale"]
        as_of = f" as of {made['as_of']}" if made.get("as_of") else ""
        table = Table(title=f"{title}{as_of}: inputs ({scale['label']}, "
                            f"{scale['low']:g}–{scale['high']:g})")
        for column in ("actor", "capability", "salience", "position", "source"):
            table.add_column(column, justify="right" if column in (
                "capability", "salience", "position") else "left",
                ratio=3 if column == "source" else None)
        for row in made["inputs"]:
            table.add_row(row["actor"], f"{row['capability']:g}", f"{row['salience']:g}",
                          f"{row['position']:g}", _source(row["source"]))
        out.print(table)
        if made.get("without_position"):
            out.print(Text(f"No position reported before the date, left out: "
                           f"{', '.join(made['without_position'])}", style="dim"))
        sq = made["status_quo"]
        out.print(Text(f"Status quo: {sq['value']:g} ({_source(sq)})", style="dim"))
    rounds = made["rounds"]
    actors = list(rounds[0]["positions"])
    show_actors = one and len(actors) <= 8
    table = Table(title=f"{title}: positions by round ({made['model']})")
    table.add_column("round", justify="right")
    for name in ("median", "mean", *(actors if show_actors else [])):
        table.add_column(name, justify="right")
    shown = rounds if len(rounds) <= SHOWN_ROUNDS * 2 + 2 else \
        [*rounds[:SHOWN_ROUNDS + 1], None, *rounds[-SHOWN_ROUNDS:]]
    for r in shown:
        if r is None:
            table.add_row("…", *("…" for _ in table.columns[1:]))
            continue
        values = [r["median"], r["mean"], *(r["positions"][a] for a in actors)] \
            if show_actors else [r["median"], r["mean"]]
        table.add_row(str(r["round"]), *(_number(v) for v in values))
    out.print(table)
    if len(shown) < len(rounds):
        out.print(Text(f"{len(rounds) - 1} rounds; --json prints every one", style="dim"))
    if not show_actors:
        final = Table(title="Final positions")
        final.add_column("actor")
        for name in dims:
            final.add_column(name, justify="right")
        for actor, position in rounds[-1]["positions"].items():
            values = [position] if one else position
            final.add_row(actor, *(f"{v:.2f}" for v in values))
        out.print(final)
    result = Table(title="Forecast beside the baselines")
    result.add_column("")
    for name in dims:
        result.add_column(name, justify="right")
    interval = made.get("interval")
    rows = [(made["model"], made["forecast"], interval and interval["forecast"])]
    rows += [(name.replace("_", " "), made["baselines"][name],
              interval and interval["baselines"][name]) for name in made["baselines"]]
    for name, value, band in rows:
        values = [value] if one else value
        cells = []
        for d, v in enumerate(values):
            text = f"{v:.2f}"
            if band is not None:
                low = band["low"] if one else band["low"][d]
                high = band["high"] if one else band["high"][d]
                median = band["median"] if one else band["median"][d]
                text += f"  (median {median:.2f}, 80%: {low:.2f}–{high:.2f})"
            cells.append(text)
        result.add_row(name, *cells)
    out.print(result)
    if interval:
        out.print(Text(f"{interval['runs']} runs, seed {interval['seed']}", style="dim"))


def _number(value: Any) -> str:
    if isinstance(value, list):
        return " / ".join(f"{v:.2f}" for v in value)
    return f"{value:.2f}"


def _source(source: dict[str, Any]) -> str:
    """A source in one line: date, outlet, and the quote (store) or summary (dossier)."""
    where = ", ".join(p for p in (source.get("date"), source.get("outlet")) if p)
    if source.get("kind") == "store":
        said = f"“{source.get('quote', '')}” [{source.get('status')}, {source.get('doc_id')}]"
    else:
        said = f"{source.get('summary', '')} [dossier]"
    return f"{where}: {said}" if where else said
