"""Reading scenarios from bdm tables, KTAB CSVs and decide files: the reference files read as
published, and every bad input is an error naming the file, the line and the field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bilateral.errors import ScenarioError
from bilateral.forecast.files import (
    read_bdm_table,
    read_decide,
    read_ktab_csv,
    read_scenario,
    sniff_format,
)
from bilateral.forecast.scenario import Dimension, Scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "forecasting-data"


def reference(relative: str) -> Path:
    """A reference file; a missing one fails the test (the data is third-party and lives
    beside the repository, never in it)."""
    path = DATA / relative
    if not path.is_file():
        pytest.fail(f"reference data missing: {path} (clone the shared folder beside the "
                    f"repository)", pytrace=False)
    return path


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(read: Callable[[Path], Scenario], path: Path, *, line: int | None,
             field: str | None) -> str:
    """The message of the ScenarioError reading ``path`` raises, checked to name the file and,
    when given, the line and the field."""
    with pytest.raises(ScenarioError) as caught:
        read(path)
    message = str(caught.value)
    assert path.name in message
    if line is not None:
        assert f"row {line}" in message, message
    if field is not None:
        assert f"field {field}" in message, message
    return message


# --- the reference files ----------------------------------------------------------------------


def test_bdm_reference_tables() -> None:
    ec = read_bdm_table(reference("bdm/ExampleActors_dmasad.csv"))
    assert len(ec.actors) == 10
    assert ec.dimensions == (Dimension("ExampleActors_dmasad"),)
    by_name = {a.name: a for a in ec.actors}
    assert by_name["Germany"].capability == pytest.approx(0.16)
    assert by_name["Germany"].positions == (4.0,)
    assert by_name["UK"].saliences == (0.9,)
    assert ec.rows["Netherlands"] == 2 and ec.rows["Greece"] == 11
    positions = {a.positions[0] for a in ec.actors}
    assert min(positions) == 4 and max(positions) == 10  # the published 4-10 scale

    sultan = read_bdm_table(reference("bdm/Sultan_bdm1997.csv"))
    assert len(sultan.actors) == 17
    assert sultan.dimensions[0].low is None and sultan.dimensions[0].high is None
    assert {a.name: a for a in sultan.actors}["SULTAN"].positions == (13.4,)


def test_ktab_reference_files() -> None:
    three = read_ktab_csv(reference("ktab/dummyData_3Dim.csv"))
    assert three.name == "DummyData_3Dim"
    assert len(three.actors) == 7
    assert three.dimensions == tuple(Dimension(f"Pstn{i}", 0, 100) for i in (1, 2, 3))
    first = three.actors[0]
    assert first.name == "SActor-00"
    assert first.capability == pytest.approx(102.543)
    assert first.positions == pytest.approx((75.79, 6.37, 70.45))
    assert first.saliences == pytest.approx((0.4953, 0.0591, 0.2815))  # percentages / 100
    assert three.rows["SActor-00"] == 3

    both = read_ktab_csv(reference("ktab/SOE-Pol-Comp.csv"))
    assert len(both.actors) == 13
    assert [d.name for d in both.dimensions] == ["Policy Position", "Competitive Position"]
    xj = both.actors[0]
    assert (xj.name, xj.description) == ("XJ", "Xi Jinping")
    assert xj.capability == 100.0
    assert xj.positions == (30.0, 20.0)
    assert xj.saliences == pytest.approx((0.24, 0.48))

    for name, actors, dims in [("SOE-Policy.csv", 26, ["Policy Position"]),
                               ("SOE-Competitive.csv", 34, ["Competitive Position"]),
                               ("dummyData-a040.csv", 40, ["XYZ Position"])]:
        scenario = read_ktab_csv(reference(f"ktab/{name}"))
        assert len(scenario.actors) == actors, name
        assert [d.name for d in scenario.dimensions] == dims, name
        assert all(d.low == 0 and d.high == 100 for d in scenario.dimensions)
        assert all(0 <= s <= 1 for a in scenario.actors for s in a.saliences)


def test_decide_reference_files() -> None:
    toll = read_decide(reference("decide/sample_data.txt"))
    assert len(toll.actors) == 10 and len(toll.dimensions) == 6
    assert toll.dimension_index("tol-hoogte") == 1
    assert toll.dimensions[1] == Dimension("tol-hoogte", 0.5, 7.0)
    willems = toll.actors[0]
    assert (willems.name, willems.description) == ("Willems", "Test")
    assert willems.capability == 1.0
    assert willems.positions[1] == 3.0 and willems.saliences[0] == 0.95
    assert toll.rows["Willems"] == 1

    copenhagen = reference("decide/copenhagen.csv")
    with pytest.raises(ScenarioError) as caught:  # one actor sits out two issues
        read_decide(copenhagen)
    message = str(caught.value)
    assert "copenhagen.csv" in message and "'Russia'" in message
    assert "'Commitments'" in message and "'Extra'" in message and "--dimension" in message
    common = ["Newtreaty", "DevlopC2020", "Domestred", "MRVdecrease", "Control"]
    assert ", ".join(common) in message  # the issues every actor has a row on
    five = read_decide(copenhagen, common)
    assert len(five.actors) == 11 and [d.name for d in five.dimensions] == common
    assert all(d.low == 0 and d.high == 100 for d in five.dimensions)
    usa = five.actors[0]
    assert usa.capability == pytest.approx(0.26)
    assert usa.positions[3] == 90.0 and usa.saliences[3] == 1.0
    alone = read_decide(copenhagen, ["Extra"])
    assert len(alone.actors) == 10 and "Russia" not in alone.names

    cop21 = reference("decide/cop21.csv")
    with pytest.raises(ScenarioError, match="amb2050"):
        read_decide(cop21)
    assert len(read_decide(cop21, ["mrv", "legal"]).actors) == 15
    assert len(read_decide(cop21, ["amb2050"]).actors) == 8


def test_read_scenario_tells_the_reference_formats_apart() -> None:
    for relative, kind in [("bdm/ExampleActors_dmasad.csv", "bdm"),
                           ("ktab/dummyData_3Dim.csv", "ktab"),
                           ("ktab/SOE-Competitive.csv", "ktab"),
                           ("decide/sample_data.txt", "decide")]:
        path = reference(relative)
        assert sniff_format(path.read_text(encoding="utf-8-sig")) == kind, relative
        assert read_scenario(path) == read_scenario(path, format=kind)
    assert len(read_scenario(reference("decide/copenhagen.csv"), issues=["Extra"]).actors) == 10


# --- bdm tables -------------------------------------------------------------------------------

TABLE = "actor,capability,position,salience\nNorth,2,10,0.5\nSouth,1,30,0.8\nEast,1,20,1\n"


def test_bdm_header_any_case_any_order_extra_columns_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "harbour.csv", b"\xef\xbb\xbf" + (
        b"Note,SALIENCE,Position,Actor,Capability\r\n"
        b"x,0.5,10,North,2\r\n\r\ny,0.8,30,South,1\r\n"))
    scenario = read_scenario(path)
    assert scenario.name == "harbour" and scenario.dimensions == (Dimension("harbour"),)
    assert scenario.names == ("North", "South")
    assert scenario.actors[1].positions == (30.0,) and scenario.actors[1].saliences == (0.8,)
    assert scenario.rows == {"North": 2, "South": 4}
    assert scenario.source == str(path)


def test_bdm_missing_file(tmp_path: Path) -> None:
    message = error_of(read_bdm_table, tmp_path / "absent.csv", line=None, field=None)
    assert "no such file" in message


def test_bdm_empty_file(tmp_path: Path) -> None:
    message = error_of(read_bdm_table, write(tmp_path, "blank.csv", " \n\n"), line=None,
                       field=None)
    assert "empty" in message


def test_bdm_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "nosal.csv", "actor,capability,position\nNorth,2,10\nSouth,1,3\n")
    message = error_of(read_bdm_table, path, line=1, field="salience")
    assert "actor, capability, position, salience" in message


def test_bdm_short_row(tmp_path: Path) -> None:
    path = write(tmp_path, "short.csv", "actor,capability,position,salience\nNorth,2,10\n")
    error_of(read_bdm_table, path, line=2, field="salience")


@pytest.mark.parametrize(("row", "field", "words"), [
    ("West,two,10,0.5", "capability", "not a number"),
    ("West,1,,0.5", "position", "missing"),
    ("West,1,nan,0.5", "position", "not a finite number"),
    ("West,1,10,inf", "salience", "not a finite number"),
    ("West,-1,10,0.5", "capability", "at least 0"),
    ("West,1,10,-0.2", "salience", "at least 0"),
    ("North,1,10,0.5", "actor", "appears twice"),
    (",1,10,0.5", "actor", "empty"),
])
def test_bdm_bad_values(tmp_path: Path, row: str, field: str, words: str) -> None:
    path = write(tmp_path, "canal.csv", TABLE + row + "\n")
    message = error_of(read_bdm_table, path, line=5, field=field)
    assert words in message


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", TABLE.encode() + b"Sa\xefd,1,20,0.5\n")
    for read in (read_bdm_table, read_ktab_csv, read_decide, read_scenario):
        message = error_of(read, path, line=5, field=None)
        assert "UTF-8" in message


def test_scenario_validation_names_rows(tmp_path: Path) -> None:
    """What the Scenario itself checks is reported by row too, through ``rows``."""
    path = write(tmp_path, "lonely.csv", "actor,capability,position,salience\nNorth,0,1,1\n"
                 "South,0,2,1\n")
    error_of(read_bdm_table, path, line=None, field="capability")
    scenario = read_bdm_table(write(tmp_path, "pair.csv", TABLE))
    assert scenario.rows == {"North": 2, "South": 3, "East": 4}


# --- KTAB CSVs --------------------------------------------------------------------------------

KTAB = ("Harbour, \"Dredging, and who pays\", 3, 2,\n"
        "Actor,Description,Influence,Depth Position,Depth Salience,Fee Position,Fee Salience,\n"
        "PA, Port authority, 50, 80, 40, 20, 30,\n"
        "CT, City treasury,  20, 30, 10, 90, 60,\n"
        "SH, Shippers,       30, 70, 50, 10, 50,\n")


def test_ktab_named_columns(tmp_path: Path) -> None:
    scenario = read_ktab_csv(write(tmp_path, "harbour.csv", KTAB))
    assert scenario.name == "Harbour"
    assert scenario.dimensions == (Dimension("Depth Position", 0, 100),
                                   Dimension("Fee Position", 0, 100))
    assert scenario.names == ("PA", "CT", "SH")
    assert scenario.actors[1].description == "City treasury"
    assert scenario.actors[1].capability == 20.0
    assert scenario.actors[1].positions == (30.0, 90.0)
    assert scenario.actors[1].saliences == (0.1, 0.6)
    assert scenario.rows == {"PA": 3, "CT": 4, "SH": 5}
    assert sniff_format(KTAB) == "ktab"


def test_ktab_numbered_columns_and_power(tmp_path: Path) -> None:
    text = ("Canal,test,2,1,\nActor,Description,Power,Pstn1,Sal1,\n"
            "A1,one,1.5,10,20,\nA2,two,2.5,60,80,\n")
    scenario = read_ktab_csv(write(tmp_path, "canal.csv", text))
    assert scenario.dimensions == (Dimension("Pstn1", 0, 100),)
    assert [a.capability for a in scenario.actors] == [1.5, 2.5]


def test_ktab_actor_count_must_match(tmp_path: Path) -> None:
    path = write(tmp_path, "count.csv", KTAB.replace(", 3, 2,", ", 4, 2,", 1))
    message = error_of(read_ktab_csv, path, line=1, field="number of actors")
    assert "says 4" in message and "3 actor row(s)" in message


def test_ktab_dimension_count_must_match(tmp_path: Path) -> None:
    path = write(tmp_path, "dims.csv", KTAB.replace(", 3, 2,", ", 3, 3,", 1))
    message = error_of(read_ktab_csv, path, line=1, field="number of dimensions")
    assert "says 3" in message and "2 position/salience pair(s)" in message


def test_ktab_counts_must_be_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "words.csv", KTAB.replace(", 3, 2,", ", three, 2,", 1))
    error_of(read_ktab_csv, path, line=1, field="number of actors")


def test_ktab_row_shorter_than_header(tmp_path: Path) -> None:
    path = write(tmp_path, "short.csv", KTAB.replace("10, 90, 60,", "10, 90,"))
    error_of(read_ktab_csv, path, line=4, field="Fee Salience")


def test_ktab_header_required(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.csv", KTAB.replace("Actor,Description", "Who,Description"))
    error_of(read_ktab_csv, path, line=2, field="actor")


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("CT, City treasury,  20", "CT, City treasury,  lots", "Influence", "not a number"),
    ("CT, City treasury,  20", "CT, City treasury,  -20", "Influence", "at least 0"),
    ("20, 30, 10, 90", "20, 130, 10, 90", "Depth Position", "from 0 to 100"),
    ("20, 30, 10, 90", "20, 30, 10, inf", "Fee Position", "not a finite number"),
    ("20, 30, 10, 90, 60", "20, 30, 10, 90, -6", "Fee Salience", "from 0 to 100"),
    ("20, 30, 10, 90, 60", "20, 30, 50, 90, 60", "Depth Salience", "add up to 110"),
    ("CT, City treasury", "PA, City treasury", "actor", "appears twice"),
])
def test_ktab_bad_values(tmp_path: Path, old: str, new: str, field: str, words: str) -> None:
    path = write(tmp_path, "bad.csv", KTAB.replace(old, new))
    message = error_of(read_ktab_csv, path, line=4, field=field)
    assert words in message


# --- decide files -----------------------------------------------------------------------------


def decide_text(*rows: str) -> str:
    """Tab-separated rows with quoted text fields, as the exchange model writes them; a row is
    written with ``|`` between fields."""
    return "\n".join("\t".join(f"'{c}'" if c.startswith("#") or not _numeric(c) else c
                               for c in row.split("|")) for row in rows) + "\n"


def _numeric(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


BASE = ["#A|ann|Ann|baker", "#A|bob|Bob|", "#A|cy|Cy|",          # lines 1-3
        "#P|rent|rent|", "#M|rent|0", "#M|rent|10",             # lines 4-6
        "#P|hours|hours|", "#M|hours|20", "#M|hours|60",        # lines 7-9
        "#D|ann|rent|2|0.5|0.4", "#D|ann|hours|30|0.9|0.4",     # lines 10-11
        "#D|bob|rent|8|0.7|0.6", "#D|bob|hours|50|0.2|0.6",     # lines 12-13
        "#D|cy|rent|5|1.0|0.1", "#D|cy|hours|40|0.0|0.1"]       # lines 14-15


def decide_file(tmp_path: Path, rows: list[str], name: str = "market.txt") -> Path:
    return write(tmp_path, name, decide_text(*rows))


def test_decide_small_file(tmp_path: Path) -> None:
    path = decide_file(tmp_path, BASE)
    scenario = read_decide(path)
    assert scenario.dimensions == (Dimension("rent", 0, 10), Dimension("hours", 20, 60))
    assert scenario.names == ("Ann", "Bob", "Cy")
    assert scenario.actors[0].description == "baker"
    assert scenario.actors[1].capability == 0.6
    assert scenario.actors[1].positions == (8.0, 50.0)
    assert scenario.actors[1].saliences == (0.7, 0.2)
    assert scenario.rows == {"Ann": 1, "Bob": 2, "Cy": 3}
    assert read_decide(path, ["hours"]).dimensions == (Dimension("hours", 20, 60),)
    assert read_scenario(path) == scenario


def test_decide_unknown_issue_chosen(tmp_path: Path) -> None:
    path = decide_file(tmp_path, BASE)
    with pytest.raises(ScenarioError, match=r"market\.txt: no issue named 'wages'"):
        read_decide(path, ["wages"])


def test_decide_power_must_agree_on_chosen_issues(tmp_path: Path) -> None:
    rows = [r.replace("#D|bob|hours|50|0.2|0.6", "#D|bob|hours|50|0.2|0.9") for r in BASE]
    path = decide_file(tmp_path, rows)
    message = error_of(read_decide, path, line=12, field="power")
    assert "'bob'" in message and "'rent'" in message and "'hours'" in message
    assert "choose issues" in message and "--dimension" in message
    assert read_decide(path, ["hours"]).actors[1].capability == 0.9  # one issue is fine


def test_decide_actor_missing_on_some_chosen_issues(tmp_path: Path) -> None:
    rows = [r for r in BASE if r != "#D|cy|hours|40|0.0|0.1"]
    path = decide_file(tmp_path, rows)
    message = error_of(read_decide, path, line=3, field="issue")
    assert "'cy' has no row on 'hours'" in message
    assert "choose issues every actor has a row on (rent)" in message
    assert "--dimension" in message
    assert read_decide(path, ["rent"]).names == ("Ann", "Bob", "Cy")
    assert read_decide(path, ["hours"]).names == ("Ann", "Bob")  # Cy sits this one out


@pytest.mark.parametrize(("old", "new", "line", "field", "words"), [
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|30|1.5|0.4", 11, "salience", "from 0 to 1"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|30|-0.1|0.4", 11, "salience", "from 0 to 1"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|70|0.9|0.4", 11, "position",
     "from 20 to 60 (the bounds of issue 'hours')"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|30|0.9|much", 11, "power", "not a number"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|30|0.9|-1", 11, "power", "at least 0"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|nan|0.9|0.4", 11, "position", "finite"),
    ("#D|ann|hours|30|0.9|0.4", "#D|dan|hours|30|0.9|0.4", 11, "actor",
     "'dan' is not an actor"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|wages|30|0.9|0.4", 11, "issue",
     "'wages' is not an issue"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|rent|3|0.9|0.4", 11, "issue", "second row"),
    ("#D|ann|hours|30|0.9|0.4", "#D|ann|hours|30|0.9", 11, "power", "no power"),
    ("#A|cy|Cy|", "#A|bob|Cy|", 3, "actor", "appears twice"),
    ("#P|hours|hours|", "#P|rent|hours|", 7, "issue", "appears twice"),
    ("#M|hours|60", "#M|wages|60", 9, "issue", "'wages' is not an issue"),
    ("#M|hours|60", "#M|hours|twenty", 9, "position", "not a number"),
    ("#M|hours|60", "#M|hours|20", 9, "position", "not above its low end"),
    ("#M|hours|60", "#M|hours|10", 9, "position", "not above its low end"),
    ("#M|hours|60", "#X|hours|60", 9, "type", "not a row type"),
])
def test_decide_bad_rows(tmp_path: Path, old: str, new: str, line: int, field: str,
                         words: str) -> None:
    assert old in BASE
    path = decide_file(tmp_path, [new if r == old else r for r in BASE])
    message = error_of(read_decide, path, line=line, field=field)
    assert words in message


@pytest.mark.parametrize("bounds", [["#M|hours|20"], ["#M|hours|20", "#M|hours|40",
                                                      "#M|hours|60"]])
def test_decide_issue_needs_exactly_two_bounds(tmp_path: Path, bounds: list[str]) -> None:
    rows = [r for r in BASE if not r.startswith("#M|hours")]
    rows[rows.index("#P|hours|hours|") + 1:rows.index("#P|hours|hours|") + 1] = bounds
    message = error_of(read_decide, decide_file(tmp_path, rows), line=7, field="bounds")
    assert f"{len(bounds)} #M row(s)" in message and "exactly two" in message


# --- choosing the reader ----------------------------------------------------------------------


def test_read_scenario_by_content_and_by_name(tmp_path: Path) -> None:
    bdm = write(tmp_path, "t.csv", TABLE)
    ktab = write(tmp_path, "k.csv", KTAB)
    decide = decide_file(tmp_path, BASE)
    assert sniff_format(TABLE) == "bdm" and sniff_format(decide_text(*BASE)) == "decide"
    assert len(read_scenario(bdm).dimensions) == 1
    assert len(read_scenario(ktab).dimensions) == 2
    assert read_scenario(decide, issues=["rent"]).dimensions == (Dimension("rent", 0, 10),)
    assert read_scenario(ktab, format="ktab") == read_ktab_csv(ktab)
    message = error_of(lambda p: read_scenario(p, format="bdm"), ktab, line=1, field="actor")
    assert "actor, capability, position, salience" in message


def test_read_scenario_unknown_format(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", TABLE)
    with pytest.raises(ScenarioError, match=r"unknown scenario format 'xml'.*bdm, ktab, decide"):
        read_scenario(path, format="xml")


def test_read_scenario_unrecognised_content(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.csv", "name,age\nAnn,4\n")
    message = error_of(read_scenario, path, line=None, field=None)
    assert "cannot tell the scenario format" in message and "bdm, ktab, decide" in message


def test_read_scenario_issues_only_for_decide(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", TABLE)
    with pytest.raises(ScenarioError, match="choosing issues needs a decide file"):
        read_scenario(path, issues=["t"])
