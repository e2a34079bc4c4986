"""Dossiers: the built-in catalogue, dated roles, YAML and TOML files, located errors."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bilateral.dossier import Dossier, available, check_dossier, load_dossier
from bilateral.errors import DossierError
from bilateral.limits import load_yaml

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "extraction-format.md"
CATALOGUE_IDS = {
    "us_tariff_japan_reciprocal", "us_tariff_japan_autos", "us_tariff_steel_aluminum",
    "us_tariff_china", "us_tariff_allies_baseline", "japan_investment_pledge_usd",
    "japan_fdi_stock_in_us_usd", "us_japan_goods_trade_usd", "us_trade_deficit_japan_usd",
    "us_imports_from_japan_usd", "us_imports_japan_autos_usd", "japan_exports_share_to_us",
    "japan_autos_share_of_exports", "japan_autos_us_share", "nippon_steel_deal_usd",
    "japan_defense_spending_gdp", "host_nation_support_usd", "host_nation_support_share",
    "us_troops_in_japan", "japan_ukraine_aid_usd", "japan_public_support_us_econ_coop",
    "japan_agri_purchase_pledge_usd",
}

MINIMAL_TOML = """
id = "mine"
name = "Mine"
dyad = ["USA", "JPN"]

[states.USA]
name = "United States"
[states.JPN]
name = "Japan"

[[indicators]]
id = "tariff"
name = "Tariff"
unit = "percent"
cues = [["tariff"]]

[[events]]
type = "CONSULT"
triggers = ["met"]
"""


def test_builtin_dossier_covers_the_catalogue_with_its_units():
    dossier = load_dossier("us-japan")
    assert "us-japan" in available()
    assert {i.id for i in dossier.indicators} >= CATALOGUE_IDS
    if SPEC.exists():  # the catalogue table of the spec, when the shared folder is beside us
        rows = re.findall(r"^\| (\w+) \| (\w+) \|", SPEC.read_text(encoding="utf-8"), re.M)
        spec_units = {i: u for i, u in rows if i not in ("id",)}
        assert {i.id: i.unit for i in dossier.indicators if i.id in spec_units} == spec_units


def test_roles_resolve_by_date():
    dossier = load_dossier("us-japan")
    by_name = {a.name: a for a in dossier.actors}
    ishiba, takaichi = by_name["Shigeru Ishiba"], by_name["Sanae Takaichi"]
    assert ishiba.role_on(dt.date(2025, 2, 7)).title == "Prime Minister"
    assert takaichi.role_on(dt.date(2025, 11, 1)).title == "Prime Minister"
    assert ishiba.role_on(dt.date(2025, 11, 1)) is None or \
        ishiba.role_on(dt.date(2025, 11, 1)).title != "Prime Minister"


def test_toml_dossier_loads(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    dossier = load_dossier(path)
    assert dossier.id == "mine" and dossier.indicators[0].cues == [["tariff"]]


@pytest.mark.parametrize("content, words", [
    ("id: x\n  bad: [\n", "not valid YAML"),
    ("- just\n- a list\n", "a dossier is a mapping"),
    (MINIMAL_TOML.replace('unit = "percent"', 'unit = "pct"'), "indicators[0] (id=tariff).unit"),
    (MINIMAL_TOML.replace('dyad = ["USA", "JPN"]', 'dyad = ["USA", "ZZZ"]'),
     "dyad names ZZZ"),
    (MINIMAL_TOML.replace('cues = [["tariff"]]', 'cues = [["tariff"]]\nstatuses = ["promised"]'),
     "status must be one of"),
])
def test_bad_dossiers_name_the_file_and_entry(tmp_path, content, words):
    suffix = ".toml" if content.lstrip().startswith("id =") else ".yaml"
    path = tmp_path / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DossierError) as info:
        load_dossier(path)
    assert str(path) in str(info.value)
    assert words in str(info.value)


def test_missing_dossier_says_what_exists(tmp_path):
    with pytest.raises(DossierError, match="us-japan"):
        load_dossier(str(tmp_path / "nowhere.yaml"))


def test_an_implied_event_must_name_known_states(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL_TOML.replace(
        'cues = [["tariff"]]',
        'cues = [["tariff"]]\nevent = {type = "SANCTION", source = "USA", target = "ZZZ", '
        'statuses = ["announced"]}'), encoding="utf-8")
    with pytest.raises(DossierError, match="implies an event with ZZZ"):
        load_dossier(path)


def test_a_state_of_the_world_gazetteer_needs_no_entry_unless_it_is_turned_off(tmp_path):
    with_china = MINIMAL_TOML.replace(
        'cues = [["tariff"]]',
        'cues = [["tariff"]]\nevent = {type = "SANCTION", source = "USA", target = "CHN", '
        'statuses = ["announced"]}')
    path = tmp_path / "mine.toml"
    path.write_text(with_china, encoding="utf-8")
    assert load_dossier(path).knows_state("CHN")
    path.write_text("gazetteer = false\n" + with_china, encoding="utf-8")
    with pytest.raises(DossierError, match="implies an event with CHN, which is not under "
                                           "states"):
        load_dossier(path)


def test_indicator_statuses_and_status_tiers_load(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL_TOML.replace('cues = [["tariff"]]',
                                         'cues = [["tariff"]]\nstatuses = ["agreed"]')
                    + '\n[[statuses]]\nstatus = "threatened"\nwords = ["warned"]\nframe = true\n'
                    + '\n[[statuses]]\nstatus = "actual"\nwords = ["was"]\nweak = true\n',
                    encoding="utf-8")
    dossier = load_dossier(path)
    assert dossier.indicators[0].statuses == ["agreed"]
    tiers = {(s.status, s.frame, s.weak): s.words for s in dossier.statuses}
    assert "warned" in tiers[("threatened", True, False)]
    assert "was" in tiers[("actual", False, True)]


def test_builtin_pledges_are_never_in_force_and_the_takeover_price_is_agreed():
    dossier = load_dossier("us-japan")
    assert dossier.indicator("nippon_steel_deal_usd").statuses == ["agreed"]
    for pledge in ("japan_investment_pledge_usd", "japan_agri_purchase_pledge_usd"):
        statuses = dossier.indicator(pledge).statuses
        assert statuses[0] == "announced" and "agreed" in statuses and "actual" not in statuses


# --- checks: every problem names the file and the entry; errors refuse, warnings do not ------

CHECKED_YAML = """\
id: mine
name: Mine
dyad: [USA, JPN]
states:
  USA: {name: United States, aliases: [U.S.], adjectives: [American], capitals: [Washington]}
  JPN: {name: Japan, adjectives: [Japanese], capitals: [Tokyo]}
actors:
  - id: ana
    name: Ana Placeholder
    aliases: [Placeholder]
    roles:
      - {state: USA, title: President, start: 2020-01-20, end: 2024-01-20}
  - id: bo
    name: Bo Stand-In
    aliases: [Stand-In]
    roles:
      - {state: USA, title: President, start: 2024-01-20}
indicators:
  - {id: tariff, name: Tariff, unit: percent, cues: [[tariff*]]}
events:
  - {type: CONSULT, triggers: [met, "held talks"]}
negations: [not, never]
"""


def write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert old in CHECKED_YAML
    return CHECKED_YAML.replace(old, new, 1)


def test_the_test_dossier_and_the_builtin_check_clean(tmp_path):
    assert check_dossier(write(tmp_path, CHECKED_YAML)).findings == ()
    assert check_dossier("us-japan").findings == ()


ERRORS = {
    "impossible date": (edited("start: 2020-01-20", "start: 2025-02-30"),
                        "actors[0] (id=ana).roles[0].start", "not a real date"),
    "quoted impossible date": (edited("start: 2020-01-20", "start: '2025-02-30'"),
                               "actors[0] (id=ana).roles[0].start", "not a real date"),
    "implausible year": (edited("start: 2020-01-20", "start: 1020-01-20"),
                         "actors[0] (id=ana).roles[0].start", "plausible range"),
    "empty alias": (edited("aliases: [Placeholder]", "aliases: [Placeholder, '   ']"),
                    "actors[0] (id=ana).aliases[1]", "empty name or alias"),
    "punctuation alias": (edited("aliases: [Placeholder]", "aliases: ['.']"),
                          "actors[0] (id=ana).aliases[0]", "no letter or digit"),
    "empty negation": (edited("negations: [not, never]", "negations: [not, '']"),
                       "negations[1]", "empty word matches everywhere"),
    "lone wildcard trigger": (edited('triggers: [met, "held talks"]', "triggers: [met, '*']"),
                              "events[0].triggers[1]", "no word before its '*'"),
    "wildcard after a space": (edited('triggers: [met, "held talks"]', "triggers: ['held *']"),
                               "events[0].triggers[0]", "no word before its '*'"),
    "alias of two actors": (edited("aliases: [Stand-In]", "aliases: [Stand-In, placeholder]"),
                            "actors[1] (id=bo).aliases[1]",
                            "already names actor ana at actors[0] (id=ana).aliases[0]"),
    "alias of an actor and a state": (edited("aliases: [Stand-In]", "aliases: [TOKYO]"),
                                      "actors[1] (id=bo).aliases[0]",
                                      "already names state JPN at states.JPN.capitals[0]"),
    "alias of two states": (edited("capitals: [Tokyo]", "capitals: [Tokyo, U.S.]"),
                            "states.JPN.capitals[1]", "already names state USA"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_name_the_file_and_entry_and_refuse_the_dossier(tmp_path, case):
    text, entry, words = ERRORS[case]
    path = write(tmp_path, text)
    checked = check_dossier(path)
    assert [f.entry for f in checked.errors] == [entry]
    assert words in checked.errors[0].message
    with pytest.raises(DossierError) as info:
        load_dossier(path)
    assert str(path) in str(info.value) and entry in str(info.value)
    assert words in str(info.value)


WARNINGS = {
    "two holders of one office": (
        edited("start: 2024-01-20}", "start: 2023-06-01}"), "actors[1] (id=bo).roles[0]",
        "while actors[0] (id=ana).roles[0] holds it from 2020-01-20 to 2024-01-20"),
    "one actor for two states": (
        edited("end: 2024-01-20}", "end: 2024-01-20}\n      - {state: JPN, start: 2022-01-01}"),
        "actors[0] (id=ana).roles[1]", "while roles[0] has it act for USA"),
    "the same role twice": (
        edited("end: 2024-01-20}", "end: 2024-01-20}\n      - {state: USA, title: President, "
                                   "start: 2023-01-01, end: 2023-12-01}"),
        "actors[0] (id=ana).roles[1]", "repeats roles[0]"),
    "a short wildcard stem": (edited('triggers: [met, "held talks"]', "triggers: [met, 'me*']"),
                              "events[0].triggers[1]", "every word that starts with 'me'"),
}


@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warnings_name_the_entry_and_do_not_refuse_the_dossier(tmp_path, case):
    text, entry, words = WARNINGS[case]
    path = write(tmp_path, text)
    checked = check_dossier(path)
    assert checked.errors == [] and [f.entry for f in checked.warnings] == [entry]
    assert words in checked.warnings[0].message
    assert load_dossier(path).id == "mine"


def test_a_handover_day_and_undated_colleagues_are_not_overlaps(tmp_path):
    # ana's term ends on the day bo's begins; two undated spokespeople claim no term
    text = CHECKED_YAML.replace("indicators:", "".join(
        f"  - {{id: sp{i}, name: Speaker Number{i}, "
        f"roles: [{{state: JPN, title: Spokesperson}}]}}\n" for i in range(2)) + "indicators:")
    assert check_dossier(write(tmp_path, text)).findings == ()


def test_a_dossier_built_in_python_is_held_to_the_same_errors():
    data = load_yaml(edited("aliases: [Stand-In]", "aliases: [placeholder]"))
    with pytest.raises(ValidationError, match="already names actor ana"):
        Dossier.model_validate(data)


@pytest.mark.parametrize("name, text, words", [
    ("deep.yaml", "a: " + "[" * 20_000 + "]" * 20_000 + "\n", "nested 20001 deep"),
    ("deep.toml", "a = " + "[" * 20_000 + "]" * 20_000 + "\n", "nested too deeply"),
    ("date.toml", MINIMAL_TOML + '\n[[actors]]\nid = "a"\nname = "A Person"\n'
                                 'roles = [{state = "USA", start = 2025-02-30}]\n',
     "not valid TOML"),
    ("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
        for i in range(8)), "alias bomb"),
])
def test_hostile_files_are_dossier_errors_not_tracebacks(tmp_path, name, text, words):
    path = write(tmp_path, text, name)
    with pytest.raises(DossierError, match=words) as info:
        load_dossier(path)
    assert str(path) in str(info.value)


def test_dossier_check_prints_errors_and_warnings_with_exit_codes(tmp_path):
    from typer.testing import CliRunner

    from bilateral.cli import EXIT_ERROR, EXIT_OK, app

    runner = CliRunner()
    warned = write(tmp_path, edited("start: 2024-01-20}", "start: 2023-06-01}"), "warned.yaml")
    result = runner.invoke(app, ["dossier", "check", str(warned)])
    assert result.exit_code == EXIT_OK
    assert f"warning {warned}: actors[1] (id=bo).roles[0]:" in result.output.replace("\n", "")
    broken = write(tmp_path, edited("negations: [not, never]", "negations: ['']"), "bad.yaml")
    result = runner.invoke(app, ["dossier", "check", str(broken), "--json"])
    assert result.exit_code == EXIT_ERROR
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["file"] == str(broken)
    assert [e["entry"] for e in report["errors"]] == ["negations[0]"]


def test_the_readme_shows_what_dossier_check_prints(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from bilateral.cli import app

    monkeypatch.chdir(tmp_path)
    write(tmp_path, CHECKED_YAML.replace("aliases: [Stand-In]", "aliases: [Stand-In, placeholder]")
          .replace("start: 2024-01-20}", "start: 2023-06-01}"))
    result = CliRunner().invoke(app, ["dossier", "check", "mine.yaml"])
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ bilateral dossier check mine.yaml\n", 1)[1].split("```", 1)[0]
    assert result.output.split() == shown.split()
