"""Negotiation models timed on the reference cases, and the exchange model of the
``decide-exchange-model`` package on the Copenhagen case in the same run.

Ours, each on scenarios read once beforehand (reading is not timed):

    bdm        rounds=8: the EC emission-standards table, and each
               Copenhagen issue alone (7 scenarios of 10 or 11 actors)
    smp        turns=10: KTAB's dummyData_3Dim and SOE-Pol-Comp, and
               Copenhagen on the five issues every actor has a row on (one actor, Russia, has
               no row on Commitments and Extra, so the seven do not make one scenario)
    baselines  baselines(scenario) on the same scenarios

The exchange model runs in an environment of its own (its release pins numpy 1.23.4, pandas
1.5.0 and PyQt5), made on the first run in .bench-envs/decide and reused afterwards; making it
is not timed. It is timed in its own process the way its command line runs a model by default:
the Equal Gain model with randomized values p = 0.0 and p = 0.8 (its default --start 0.0,
--step 0.80, --stop 0.80), 1 repetition of 10 iterations each, the model built from the parsed
file for each run (parsing the file once is not timed). Its output writers (CSV and SQLite)
are left out: our models write nothing either, and the released command line stops at its
first event anyway, its SQLite writer never having been given a database.

Each run is done once untimed, then N times; the table gives the median and the best of the N
(time.perf_counter).

    python bench/forecast.py              # N = 5
    python bench/forecast.py --repeat 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bilateral.errors import BilateralError
from bilateral.forecast.baselines import baselines
from bilateral.forecast.files import read_bdm_table, read_decide, read_ktab_csv
from bilateral.forecast.models import model_function
from bilateral.forecast.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "forecasting-data"
COPENHAGEN = DATA / "decide" / "copenhagen.csv"
COPENHAGEN_ISSUES = ("Newtreaty", "DevlopC2020", "Domestred", "MRVdecrease", "Commitments",
                     "Control", "Extra")
DECIDE_ENV = ROOT / ".bench-envs" / "decide"
DECIDE_PACKAGE = "decide-exchange-model==2022.1.28"
DECIDE_P = ("0.0", "0.8")
DECIDE_ITERATIONS = 10

# Run inside the exchange model's environment: argv = file, repeat, iterations, p values.
DECIDE_RUNNER = """
import json, random, sys, time
import decide
from decide.data.modelfactory import ModelFactory
from decide.data.reader import InputDataFile
from decide.model.equalgain import EqualGainModel
from decide.model.observers.observer import Observable
from decide.model.utils import ModelLoop

path, repeat, iterations, ps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
data = InputDataFile.open(path)
if not data.is_valid:
    sys.exit(f"decide could not read {path}: {data.errors}")
factory = ModelFactory(data)

def run(p):
    model = factory(model_klass=EqualGainModel, randomized_value=p)
    events = Observable(model_ref=model, output_directory=".")
    loop = ModelLoop(model, events, 0)
    for _ in range(iterations):
        loop.loop()
    return model

times = {p: [] for p in ps}
for r in range(repeat + 1):
    for p in ps:
        random.seed(r)
        start = time.perf_counter()
        model = run(p)
        if r:
            times[p].append(time.perf_counter() - start)
print(json.dumps({"version": decide.__version__, "actors": len(data.actors),
                  "issues": len(data.issues), "actor_issues": len(data.actor_issues),
                  "times": times}))
"""


@dataclass(frozen=True)
class Row:
    case: str
    model: str
    actors: str
    dimensions: str
    rounds: str
    times: tuple[float, ...] = ()
    note: str = ""


def reference(relative: str) -> Path:
    path = DATA / relative
    if not path.is_file():
        sys.exit(f"reference data missing: {path} (the shared folder goes beside the "
                 f"repository)")
    return path


def timed(run: Callable[[], object], repeat: int) -> tuple[float, ...]:
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return tuple(times)


ROUNDS = {"bdm": "8", "smp": "10", "baselines": "-"}


def model(name: str) -> Callable[[Scenario], object]:
    """The model's run function with the benchmark's settings, as ``bilateral forecast``
    runs it (the spatial model with per-issue saliences divided into shares)."""
    if name == "baselines":
        return baselines
    return model_function(name, rounds=int(ROUNDS[name]))


def describe(scenarios: Sequence[Scenario]) -> tuple[str, str]:
    actors = sorted({len(s.actors) for s in scenarios})
    dims = {len(s.dimensions) for s in scenarios}
    shown = str(actors[0]) if len(actors) == 1 else f"{actors[0]}-{actors[-1]}"
    if len(scenarios) > 1:
        return shown, f"{len(scenarios)}×{max(dims)}"
    return shown, str(max(dims))


def time_model(case: str, name: str, scenarios: Sequence[Scenario], repeat: int) -> Row:
    run = model(name)
    rounds = ROUNDS[name]
    actors, dims = describe(scenarios)

    def all_of_them() -> None:
        for scenario in scenarios:
            run(scenario)

    try:
        return Row(case, name, actors, dims, rounds, timed(all_of_them, repeat))
    except BilateralError as exc:
        return Row(case, name, actors, dims, rounds, note=f"failed: {exc}")


def ours(repeat: int) -> list[Row]:
    ec = [read_bdm_table(reference("bdm/ExampleActors_dmasad.csv"))]
    issues = [read_decide(reference("decide/copenhagen.csv"), [i]) for i in COPENHAGEN_ISSUES]
    everyone = max(len(s.actors) for s in issues)
    common = [i for i, s in zip(COPENHAGEN_ISSUES, issues, strict=True)
              if len(s.actors) == everyone]
    copenhagen = [read_decide(COPENHAGEN, common)]
    ktab = {name: [read_ktab_csv(reference(f"ktab/{name}.csv"))]
            for name in ("dummyData_3Dim", "SOE-Pol-Comp")}
    rows = [time_model("EC emission standards", "bdm", ec, repeat),
            time_model("EC emission standards", "baselines", ec, repeat),
            time_model("copenhagen, each issue alone", "bdm", issues, repeat)]
    rows += [time_model(f"  copenhagen: {s.dimensions[0].name}", "bdm", [s], repeat)
             for s in issues]
    rows.append(time_model("copenhagen, each issue alone", "baselines", issues, repeat))
    for name, scenarios in ktab.items():
        rows += [time_model(name, "smp", scenarios, repeat),
                 time_model(name, "baselines", scenarios, repeat)]
    rows += [time_model(f"copenhagen, {len(common)} common issues", "smp", copenhagen, repeat),
             time_model(f"copenhagen, {len(common)} common issues", "baselines", copenhagen,
                        repeat)]
    return rows


def find_uv(given: str | None) -> str | None:
    candidates = [given, shutil.which("uv"), str(ROOT / ".tools" / "bin" / "uv"),
                  str(Path(sys.executable).parent / "uv")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def decide_python(env: Path, uv: str | None) -> Path:
    """The exchange model's interpreter, the environment made and the package installed the
    first time."""
    python = env / "bin" / "python"
    if python.exists() and subprocess.run([python, "-c", "import decide.model.equalgain"],
                                          capture_output=True).returncode == 0:
        return python
    print(f"making {env} with {DECIDE_PACKAGE} (once; not timed) ...", flush=True)
    uv = find_uv(uv)
    if uv:
        if not python.exists():
            subprocess.run([uv, "venv", "--python", "3.11", str(env)], check=True)
        subprocess.run([uv, "pip", "install", "--python", str(python), DECIDE_PACKAGE],
                       check=True)
    else:
        base = shutil.which("python3.11")
        if base is None:
            sys.exit("the exchange model needs uv or python3.11 to make its environment")
        if not python.exists():
            subprocess.run([base, "-m", "venv", str(env)], check=True)
        subprocess.run([python, "-m", "pip", "install", DECIDE_PACKAGE], check=True)
    return python


def theirs(repeat: int, env: Path, uv: str | None) -> tuple[list[Row], dict[str, object]]:
    python = decide_python(env, uv)
    done = subprocess.run(
        [python, "-c", DECIDE_RUNNER, str(COPENHAGEN), str(repeat), str(DECIDE_ITERATIONS),
         *DECIDE_P], capture_output=True, text=True, cwd=env)
    if done.returncode:
        sys.exit(f"the exchange model failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    times = {p: tuple(t) for p, t in result["times"].items()}
    both = tuple(map(sum, zip(*times.values(), strict=True)))
    actors, issues = str(result["actors"]), str(result["issues"])
    case = "copenhagen, all issues"
    rows = [Row(case, f"decide p={p}", actors, issues, str(DECIDE_ITERATIONS), t)
            for p, t in times.items()]
    rows.append(Row(case, "decide default", actors, issues,
                    f"{len(times)}×{DECIDE_ITERATIONS}", both))
    return rows, result


def seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def print_table(rows: Sequence[Row]) -> None:
    header = ("case", "model", "actors", "dims", "rounds", "median", "best", "N")
    lines = [header] + [
        (r.case, r.model, r.actors, r.dimensions, r.rounds, seconds(statistics.median(r.times)),
         seconds(min(r.times)), str(len(r.times))) if r.times
        else (r.case, r.model, r.actors, r.dimensions, r.rounds, r.note) for r in rows]
    widths = [max(len(line[i]) for line in lines if len(line) == 8 or i < 5)
              for i in range(8)]
    for line in lines:
        cells = [cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                 for i, cell in enumerate(line[:5])]
        if len(line) == 8:
            cells += [cell.rjust(widths[5 + i]) for i, cell in enumerate(line[5:])]
        else:
            cells.append(line[5])
        print("  ".join(cells).rstrip())


def ratio(decide: Row, row: Row | None) -> str:
    if row is None or not row.times:
        return "not available"
    return f"{statistics.median(decide.times) / statistics.median(row.times):,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (N)")
    parser.add_argument("--env", type=Path, default=DECIDE_ENV,
                        help="the exchange model's environment (made when missing)")
    parser.add_argument("--uv", help="the uv to make that environment with (default: on PATH)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    reference("decide/copenhagen.csv")

    decide_rows, result = theirs(args.repeat, args.env, args.uv)
    rows = ours(args.repeat)
    print(f"python {sys.version.split()[0]}; decide-exchange-model {result['version']} "
          f"in {args.env}")
    print(f"copenhagen: {result['actors']} actors, {result['issues']} issues, "
          f"{result['actor_issues']} actor-issue rows")
    print()
    print_table(rows + decide_rows)
    print()
    decide = decide_rows[-1]
    single = decide_rows[0]
    bdm = next((r for r in rows if r.model == "bdm" and r.case.startswith("copenhagen,")),
               None)
    smp = next((r for r in rows if r.model == "smp" and r.case.startswith("copenhagen,")),
               None)
    for label, row in (("bdm, each issue alone", bdm), ("smp, common issues", smp)):
        print(f"decide / ours on copenhagen ({label}): default run (p=0.0 and 0.8) "
              f"{ratio(decide, row)}; one run (p=0.0) {ratio(single, row)}")


if __name__ == "__main__":
    main()
