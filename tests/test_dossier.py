"""Dossiers: the built-in catalogue, dated roles, YAML and TOML files, located errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bilateral.dossier import available, load_dossier
from bilateral.errors import DossierError

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
    (MINIMAL_TOML.replace('dyad = ["USA", "JPN"]', 'dyad = ["USA", "KOR"]'),
     "dyad names KOR"),
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
        'cues = [["tariff"]]\nevent = {type = "SANCTION", source = "USA", target = "CHN", '
        'statuses = ["announced"]}'), encoding="utf-8")
    with pytest.raises(DossierError, match="implies an event with CHN"):
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
    assert [(s.frame, s.weak) for s in dossier.statuses] == [(True, False), (False, True)]


def test_builtin_pledges_are_never_in_force_and_the_takeover_price_is_agreed():
    dossier = load_dossier("us-japan")
    assert dossier.indicator("nippon_steel_deal_usd").statuses == ["agreed"]
    for pledge in ("japan_investment_pledge_usd", "japan_agri_purchase_pledge_usd"):
        statuses = dossier.indicator(pledge).statuses
        assert statuses[0] == "announced" and "agreed" in statuses and "actual" not in statuses
