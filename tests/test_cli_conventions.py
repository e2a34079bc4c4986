"""The command line behaves as command-line tools do: --version, one set of output formats for
every listing, tables that keep identifiers whole and give quotes the width at 80 columns,
readers that never create a store, usage errors with exit code 2, --help for every command, and
a README whose table of exit and error codes matches the code."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.main import get_command
from typer.testing import CliRunner

from bilateral import errors
from bilateral.cli import EXIT_OK, EXIT_USAGE, app
from bilateral.cli import shared as cli_shared
from bilateral.store import make_engine

README = Path(__file__).resolve().parents[1] / "README.md"

# Written for these tests: three wire reports with the corpus's own ids, longer than ten
# characters, so that a table cutting them would show it.
ARTICLES = [
    {"doc_id": "harbour-ledger-2025-0417", "published": "2025-04-17", "source": "Harbour Ledger",
     "title": "Tokyo weighs its answer to higher car duties",
     "text": "Washington raised its tariff on Japanese cars to 25% on Thursday, officials in "
             "Tokyo said. Japan's chief trade negotiator met U.S. Commerce Secretary Howard "
             "Lutnick in Washington on April 16 to ask for relief from the duties."},
    {"doc_id": "harbour-ledger-2025-0723", "published": "2025-07-23", "source": "Harbour Ledger",
     "title": "A trade bargain is struck",
     "text": "Japan and the United States agreed on Tuesday to a 15% tariff on Japanese goods, "
             "and Japan pledged $550 billion of investment in the U.S., the White House said "
             "late on Tuesday."},
    {"doc_id": "harbour-ledger-2025-0303", "published": "2025-03-03", "source": "Harbour Ledger",
     "title": "Defence budget in focus",
     "text": "Japan's defence spending reached 1.6% of GDP in 2024, the defence ministry said on "
             "Monday. Officials in Washington have urged Tokyo to lift it to 3% of GDP."},
    # two outlets disagree on the same figure: a dispute
    {"doc_id": "harbour-ledger-2025-0901", "published": "2025-09-01", "source": "Harbour Ledger",
     "title": "Troop numbers",
     "text": "About 54,000 U.S. troops are stationed in Japan, the defence ministry said on "
             "Monday."},
    {"doc_id": "coastal-times-2025-0901", "published": "2025-09-01", "source": "Coastal Times",
     "title": "Basing costs",
     "text": "Some 56,000 U.S. troops are stationed in Japan, according to figures released "
             "on Monday."},
    # one source brings a target forward: a revision
    {"doc_id": "harbour-ledger-2024-0301", "published": "2024-03-01", "source": "Harbour Ledger",
     "title": "Spending goal",
     "text": "Japan aims to raise its defence spending to 2% of GDP by fiscal 2027, the "
             "government said on Friday."},
    {"doc_id": "harbour-ledger-2025-1024", "published": "2025-10-24", "source": "Harbour Ledger",
     "title": "Goal brought forward",
     "text": "Japan will now raise its defence spending to 2% of GDP in fiscal 2025, two years "
             "earlier than planned, the prime minister said on Friday."},
]

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def flat(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("conventions")
    (folder / "wire.jsonl").write_text(
        "".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    url = f"sqlite:///{folder / 'store.db'}"
    result = invoke("ingest", str(folder / "wire.jsonl"), "--db", url)
    assert result.exit_code == EXIT_OK, result.output
    return url


def run_at(columns: int, *args: str) -> str:
    """The real command in a process of its own, at a terminal width of ``columns``."""
    env = {**os.environ, "COLUMNS": str(columns)}
    env.pop("BILATERAL_DB", None)
    done = subprocess.run([sys.executable, "-m", "bilateral", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_OK, done.stderr
    return done.stdout


# --- --version ----------------------------------------------------------------------------------

def test_version_prints_the_package_version_and_exits_0():
    result = invoke("--version")
    assert result.exit_code == EXIT_OK
    assert result.stdout == f"bilateral {version('bilateral')}\n"


# --- --json, --jsonl, --csv and --out on every listing ------------------------------------------

def _records(name: str, document: Any) -> list[Any]:
    """The records of a listing's --json document, one per JSON line."""
    return document["claims"] if name == "indicator" else document


def _csv_rows(name: str, document: Any) -> int:
    """How many CSV rows a listing's --json document makes."""
    if name == "disputes":
        return sum(len(d["sides"]) for d in document)
    if name == "revisions":
        return sum(len(r["steps"]) for r in document)
    if name == "index":
        return sum(len(d["months"]) for d in document)
    return len(_records(name, document))


LISTINGS = {
    "docs": (), "observations": (), "events": (), "search": ("tariff",), "actors": (),
    "indicators": (), "indicator": ("us_tariff_japan_autos",), "disputes": (),
    "revisions": (), "timeline": (), "index": (),
}


@pytest.mark.parametrize("name", LISTINGS)
def test_every_listing_prints_json_json_lines_and_csv(db, name):
    args = (name, *LISTINGS[name], "--db", db)
    as_json = invoke(*args, "--json")
    assert as_json.exit_code == EXIT_OK, as_json.output
    document = json.loads(as_json.stdout)
    records = _records(name, document)
    assert isinstance(records, list)

    as_jsonl = invoke(*args, "--jsonl")
    assert as_jsonl.exit_code == EXIT_OK, as_jsonl.output
    lines = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
    assert lines == records and all(isinstance(line, dict) for line in lines)

    as_csv = invoke(*args, "--csv")
    assert as_csv.exit_code == EXIT_OK, as_csv.output
    header, *rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert header and len(header) == len(set(header))
    assert len(rows) == _csv_rows(name, document)
    assert all(len(row) == len(header) for row in rows)


def test_the_listings_are_not_empty_so_the_format_checks_mean_something(db):
    for name in LISTINGS:
        result = invoke(name, *LISTINGS[name], "--db", db, "--json")
        assert _records(name, json.loads(result.stdout)), name


@pytest.mark.parametrize(("args", "matching_nothing"), [
    (("observations",), ("--since", "2031")), (("events",), ("--since", "2031")),
    (("indicators",), ("--since", "2031")), (("timeline",), ("--since", "2031")),
    (("disputes",), ("--since", "2031")), (("revisions",), ("--since", "2031")),
    (("index",), ("--since", "2031")), (("docs",), ("--source", "No Such Outlet")),
    (("search", "tariff"), ()), (("indicator", "us_tariff_japan_autos"), ("--since", "2031")),
], ids=lambda value: " ".join(value))
def test_csv_columns_are_the_same_when_nothing_matches(db, args, matching_nothing):
    def rows(*args: str) -> list[list[str]]:
        result = invoke(*args, "--db", db, "--csv")
        assert result.exit_code == EXIT_OK, result.output
        return list(csv.reader(io.StringIO(result.stdout)))

    found = rows(*args)
    empty = rows(*(("search", "zeppelin") if args[0] == "search" else args),
                 *matching_nothing)
    assert len(found) > 1 and len(empty) == 1
    assert empty[0] == found[0]


def test_csv_keeps_every_field_of_a_record_in_a_fixed_order(db):
    result = invoke("observations", "--db", db, "--csv")
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header[:4] == ["doc_id", "indicator", "value", "unit"]
    assert header[-2:] == ["sentence", "mark"]
    by_name = [dict(zip(header, row, strict=True)) for row in rows]
    assert {(r["indicator"], float(r["value"])) for r in by_name} >= {
        ("us_tariff_japan_autos", 25.0)}
    assert all(json.loads(r["mark"])[0] >= 0 for r in by_name)  # nested values as JSON


@pytest.mark.parametrize("formats", [("--json", "--csv"), ("--jsonl", "--json"),
                                     ("--csv", "--jsonl")])
def test_two_output_formats_are_a_usage_error(db, formats):
    result = invoke("events", "--db", db, *formats)
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == ""
    assert all(f"'{flag}'" in result.stderr for flag in formats), result.stderr


def test_out_writes_the_file_in_the_format_given_or_its_suffix(db, tmp_path):
    printed = invoke("timeline", "--db", db, "--csv").stdout
    written = invoke("timeline", "--db", db, "--csv", "--out", str(tmp_path / "a.txt"))
    assert written.exit_code == EXIT_OK and written.stdout == ""
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == printed

    lines = invoke("timeline", "--db", db, "--jsonl").stdout
    by_suffix = invoke("timeline", "--db", db, "-o", str(tmp_path / "b.jsonl"))
    assert by_suffix.exit_code == EXIT_OK
    assert (tmp_path / "b.jsonl").read_text(encoding="utf-8") == lines

    unknown = invoke("timeline", "--db", db, "--out", str(tmp_path / "c.txt"))
    assert unknown.exit_code == EXIT_USAGE and not (tmp_path / "c.txt").exists()
    assert "--jsonl" in unknown.stderr


def test_json_of_one_indicator_stays_one_object(db):
    history = json.loads(invoke("indicator", "us_tariff_japan_autos", "--db", db,
                                "--json").stdout)
    assert history["indicator"] == "us_tariff_japan_autos"
    assert set(history) >= {"name", "unit", "current", "claims", "revisions"}


# --- tables -------------------------------------------------------------------------------------

def test_at_80_columns_observations_show_whole_ids_and_whole_quotes(db):
    found = json.loads(invoke("observations", "--db", db, "--json").stdout)
    output = run_at(80, "observations", "--db", db)
    assert max(len(line) for line in output.splitlines()) <= 80
    for record in found:
        assert re.search(rf"^{record['doc_id']}\s", output, re.M), record["doc_id"]
        assert f"[{flat(record['quote'])}]" in flat(output), record["quote"]


def test_at_80_columns_events_show_whole_ids_and_whole_quotes(db):
    found = json.loads(invoke("events", "--db", db, "--json").stdout)
    output = run_at(80, "events", "--db", db)
    assert max(len(line) for line in output.splitlines()) <= 80
    for record in found:
        assert re.search(rf"^{record['doc_id']}\s", output, re.M)
        assert f"[{flat(record['quote'])}]" in flat(output)


def test_at_80_columns_show_folds_the_rule_under_the_quote(db):
    [record] = json.loads(invoke("observations", "--db", db, "--indicator",
                                 "us_tariff_japan_autos", "--json").stdout)
    narrow = run_at(80, "show", record["doc_id"], "--db", db)
    assert f"rule: {record['rule']}" in narrow
    assert f"[{flat(record['quote'])}]" in flat(narrow)
    wide = run_at(240, "show", record["doc_id"], "--db", db)
    assert re.search(r"┃ rule\s+┃", wide)  # with room, a column of its own
    assert f"│ {record['rule']}" in wide


def test_wide_tables_keep_ids_whole_in_their_columns(db):
    found = json.loads(invoke("observations", "--db", db, "--json").stdout)
    output = run_at(200, "observations", "--db", db)
    assert "┃ doc_id" in output
    assert {r["doc_id"] for r in found} <= set(re.findall(r"│ ([0-9a-f]{16}) │", output))


@pytest.mark.parametrize("columns", [80, 200])
def test_show_accepts_the_ids_a_table_prints(db, columns):
    output = run_at(columns, "indicators", "--db", db)
    printed = set(re.findall(r"harbour-ledger-\d{4}-\d{4}", output))
    assert printed >= {"harbour-ledger-2025-0417", "harbour-ledger-2025-0723"}
    for label in printed:
        shown = invoke("show", label, "--db", db)
        assert shown.exit_code == EXIT_OK, shown.output
        assert "Harbour Ledger" in shown.stdout
    listed = run_at(columns, "docs", "--db", db)
    ids = set(re.findall(r"\b[0-9a-f]{16}\b", listed))
    assert len(ids) == len(ARTICLES)
    for doc_id in ids:
        assert invoke("show", doc_id, "--db", db, "--json").exit_code == EXIT_OK


# --- readers never create a store ---------------------------------------------------------------

READERS = [
    ("docs",), ("observations",), ("events",), ("search", "tariff"), ("show", "abcdef12"),
    ("actors", "--unknown"), ("indicators",), ("indicator", "us_tariff_japan_autos"),
    ("disputes",), ("revisions",), ("timeline",), ("index",), ("brief",), ("token", "list"),
    ("token", "revoke", "bot"),
]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_reader_on_a_missing_sqlite_store_exits_2_and_creates_nothing(tmp_path, args):
    missing = tmp_path / "typo.db"
    result = invoke(*args, "--db", f"sqlite:///{missing}")
    assert result.exit_code == EXIT_USAGE, result.output
    message = flat(result.stderr)
    assert message.startswith(f"Error: no store at {missing}")
    assert f"bilateral ingest PATH... --db sqlite:///{missing}" in message
    assert not missing.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("args", [("docs",), ("indicators",), ("token", "list")], ids=" ".join)
def test_a_reader_on_a_postgresql_schema_without_tables_exits_2_and_creates_nothing(
        pg_url, args):
    result = invoke(*args, "--db", pg_url)
    assert result.exit_code == EXIT_USAGE, result.output
    assert flat(result.stderr).startswith("Error: no store at postgresql")
    assert "no bilateral tables" in flat(result.stderr)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_schema = current_schema()")).scalar()
    finally:
        engine.dispose()
    assert tables == 0


def test_a_writer_creates_the_store_that_readers_then_open(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    assert invoke("token", "list", "--db", url).exit_code == EXIT_USAGE
    added = invoke("token", "add", "ingest-bot", "--db", url)
    assert added.exit_code == EXIT_OK, added.output
    assert (tmp_path / "team.db").exists()
    listed = invoke("token", "list", "--db", url, "--json")
    assert listed.exit_code == EXIT_OK
    assert [t["name"] for t in json.loads(listed.stdout)] == ["ingest-bot"]


# --- malformed dates are usage errors -----------------------------------------------------------

@pytest.mark.parametrize("command", ["observations", "events", "indicators", "disputes",
                                     "revisions", "timeline", "index", "brief"])
@pytest.mark.parametrize("dates", [("--since", "2025-13"), ("--until", "2025-02-30"),
                                   ("--since", "spring"),
                                   ("--since", "2025-07", "--until", "2025-01"),
                                   ("--until", "2025-01", "--since", "2025-07")])
def test_a_malformed_or_reversed_period_exits_2(db, command, dates):
    result = invoke(command, *dates, "--db", db)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "Invalid value for '--" in result.stderr


def test_a_malformed_as_of_exits_2(db):
    result = invoke("brief", "--as-of", "2025-04-31", "--db", db)
    assert result.exit_code == EXIT_USAGE
    assert "'2025-04-31' is not a date" in flat(result.stderr)


# --- --help for every command, and the README -------------------------------------------------

def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, (*path, name))
    return found


COMMANDS = _commands(get_command(app))


def test_the_command_tree_is_walked_whole():
    paths = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "ingest", "observations", "dossier", "dossier check", "token", "token add",
            "token list", "token revoke"} <= paths
    assert len(paths) >= 28


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(p) or "bilateral" for p, _ in COMMANDS])
def test_help_has_real_placeholders_and_an_example(path, command):
    result = invoke(*path, "--help")
    assert result.exit_code == EXIT_OK, result.output
    assert not re.findall(r"<[^<>\n]*>", result.stdout), result.stdout  # e.g. <str>, <bool>
    assert "Example: bilateral" in result.stdout
    readme = README.read_text(encoding="utf-8")
    if path and not getattr(command, "commands", None):
        assert f"bilateral {' '.join(path)}" in readme, f"the README lacks bilateral {path}"


def test_help_placeholders_name_what_to_give():
    ingest = invoke("ingest", "--help").stdout
    assert "PATH..." in ingest and "URL" in ingest and "NAME|FILE" in ingest
    token = invoke("token", "add", "--help").stdout
    assert re.search(r"\*\s+NAME\s", token)
    listing = invoke("observations", "--help").stdout
    assert re.search(r"--json\s{2,}Print JSON", listing)  # a flag takes no placeholder
    assert re.search(r"--since\s+DATE\s", listing)


def _readme_codes() -> list[dict[str, str]]:
    """The rows of the README's table of exit codes and error codes."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| exit | code | error | what happened |")
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        exit_code, code, error, meaning = (c.strip().strip("`") for c in line.strip("|")
                                           .split("|"))
        rows.append({"exit": exit_code, "code": code, "error": error, "meaning": meaning})
    return rows


def test_the_readme_table_of_exit_and_error_codes_matches_the_code():
    rows = _readme_codes()
    exits = {int(r["exit"]) for r in rows if not r["code"]}
    constants = {value for name, value in vars(cli_shared).items() if name.startswith("EXIT_")}
    assert exits == constants == {0, 1, 2, 3}

    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.BilateralError)]
    documented = {r["code"]: r for r in rows if r["code"]}
    assert set(documented) == {c.code for c in classes}
    assert len({c.code for c in classes}) == len(classes)  # no code used twice
    for error in classes:
        row = documented[error.code]
        assert row["error"] == error.__name__
        assert int(row["exit"]) == cli_shared.exit_code(error), error.__name__
