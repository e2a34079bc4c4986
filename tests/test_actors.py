"""Unknown-actor discovery: names in stored documents that the dossier does not know, with their
counts and an example sentence; on SQLite and PostgreSQL, and through ``bilateral actors``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.analyse.actors import KnownNames, normalise, unknown_names
from bilateral.cli import EXIT_OK, app
from bilateral.dossier import load_dossier
from bilateral.ingest.run import ingest

# Hand-written articles: a known prime minister and an envoy (a made-up name) the dossier does
# not know, named in full, with a possessive, and by surname alone; a third person once.
ARTICLES = {
    "round-two.txt":
        "TOKYO, May 12, 2025 -- Prime Minister Shigeru Ishiba sent his trade envoy Haruto "
        "Morimoto to Washington on Monday for a second round of tariff talks. Morimoto met "
        "Commerce Department officials for two hours, and Ishiba told reporters in Tokyo that "
        "the talks had been constructive. The envoy is expected to return on Friday.\n",
    "round-three.txt":
        "TOKYO, May 19, 2025 -- Haruto Morimoto's third round of talks in Washington ended "
        "without a deal on autos. Ishiba said Japan would not accept a 25% tariff on its cars. "
        "Morimoto will brief the cabinet on Tuesday, officials said.\n",
    "june.txt":
        "Summary of: Example Wire, 2025-06-02. Japanese officials said on Monday that Keiko "
        "Tanabe, a senior trade official, will travel to Washington in June.\n",
}
SENTENCES = [
    "TOKYO, May 12, 2025 -- Prime Minister Shigeru Ishiba sent his trade envoy Haruto Morimoto "
    "to Washington on Monday for a second round of tariff talks.",
    "TOKYO, May 19, 2025 -- Haruto Morimoto's third round of talks in Washington ended without "
    "a deal on autos.",
    "Morimoto will brief the cabinet on Tuesday, officials said.",
]

DOSSIER = """\
id: test-pair
name: Test pair
dyad: [USA, JPN]
states:
  USA: {name: United States, aliases: ["United States", "U.S."], adjectives: [American],
        capitals: [Washington]}
  JPN: {name: Japan, aliases: [Japan], adjectives: [Japanese], capitals: [Tokyo]}
actors:
  - id: ishiba
    name: Shigeru Ishiba
    aliases: [Ishiba, Prime Minister Ishiba]
    roles: [{state: JPN, title: Prime Minister, start: 2024-10-01}]
  - id: commerce
    name: U.S. Department of Commerce
    kind: ministry
    aliases: [Commerce Department]
    roles: [{state: USA}]
indicators:
  - {id: tariff, name: Tariff, unit: percent, cues: [[tariff*]]}
events:
  - {type: CONSULT, triggers: [met]}
"""


@pytest.fixture
def dossier_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-pair.yaml"
    path.write_text(DOSSIER, encoding="utf-8")
    return path


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def filled(store, articles, dossier_file):
    report = ingest([articles], store, load_dossier(dossier_file))
    assert report.documents_new == 3
    return store


def test_unknown_names_are_counted_and_known_ones_left_out(filled, dossier_file):
    names = {n.name: n for n in unknown_names(filled, load_dossier(dossier_file))}
    envoy = names["Haruto Morimoto"]
    # "Haruto Morimoto", "Haruto Morimoto's" and the surname alone, in two documents
    assert (envoy.mentions, envoy.documents) == (3, 2)
    assert envoy.variants == ("Morimoto",)
    assert envoy.quote in SENTENCES
    assert filled.get_document(envoy.doc_id).text.find(envoy.quote) >= 0
    assert "Morimoto" not in names  # counted with the full name, not on its own
    for known in ("Shigeru Ishiba", "Ishiba", "Japan", "Japanese", "Tokyo", "TOKYO",
                  "Washington", "Commerce Department"):
        assert known not in names
    assert "Keiko Tanabe" not in names  # one mention: below the default --min-count of 2


def test_min_count_limit_and_pages(filled, dossier_file):
    dossier = load_dossier(dossier_file)
    everything = unknown_names(filled, dossier, min_count=1)
    assert "Keiko Tanabe" in {n.name for n in everything}
    assert [n.mentions for n in everything] == sorted((n.mentions for n in everything),
                                                      reverse=True)
    assert unknown_names(filled, dossier, min_count=1, limit=1) == everything[:1]
    seen: list[tuple[int, int]] = []
    one_at_a_time = unknown_names(filled, dossier, min_count=1, page_size=1,
                                  progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert one_at_a_time == everything


def test_a_near_duplicate_copy_is_not_counted_again(filled, articles, dossier_file, tmp_path):
    copies = tmp_path / "copies"
    copies.mkdir()
    original = ARTICLES["round-three.txt"]
    (copies / "syndicated.txt").write_text("Via Example Wire.\n" + original, encoding="utf-8")
    report = ingest([copies], filled, load_dossier(dossier_file))
    assert report.documents_new == 1 and report.near_duplicates == 1
    envoy = next(n for n in unknown_names(filled, load_dossier(dossier_file))
                 if n.name == "Haruto Morimoto")
    assert (envoy.mentions, envoy.documents) == (3, 2)


@pytest.mark.parametrize("text, label, name", [
    ("Trump's", "ORG", "Trump"),
    ("Haruto Morimoto’s", "PERSON", "Haruto Morimoto"),
    ("Prime Minister Sanae Takaichi", "PERSON", "Sanae Takaichi"),
    ("Economy Minister  Ryosei Akazawa", "PERSON", "Ryosei Akazawa"),
    ("Mr. Morimoto", "PERSON", "Morimoto"),
    ("the Quad", "ORG", "Quad"),
    ("Prime Minister's Office", "ORG", "Prime Minister's Office"),  # only people lose titles
    ("U.S.", "GPE", "U.S."),
])
def test_normalise_drops_possessives_articles_and_titles(text, label, name):
    assert normalise(text, label) == name


def test_known_names_cover_states_actors_any_order_and_surnames(dossier_file):
    known = KnownNames(load_dossier(dossier_file))
    for name in ("Japan", "japanese", "Americans", "Tokyo", "the United States",
                 "Shigeru Ishiba", "Ishiba Shigeru", "Ishiba", "Shigeru", "U.S.-Japan",
                 "Commerce Department",
                 "Chile", "Chileans", "Hanoi"):  # states the world gazetteer knows count too
        assert name in known, name
    for name in ("Haruto Morimoto", "Morimoto", "Reuters", "Japan Times", "Ishiba Haruto"):
        assert name not in known, name


def test_actors_command_lists_unknown_names_as_json(tmp_path, articles):
    url = f"sqlite:///{tmp_path / 'actors.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(articles), "--db", url])
    assert result.exit_code == EXIT_OK, result.output
    result = runner.invoke(app, ["actors", "--unknown", "--db", url, "--json"])
    assert result.exit_code == EXIT_OK, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["Haruto Morimoto"]["mentions"] == 3
    assert rows["Haruto Morimoto"]["documents"] == 2
    assert rows["Haruto Morimoto"]["quote"] in SENTENCES
    assert not {"Ishiba", "Shigeru Ishiba", "Japan", "Tokyo"} & set(rows)
    result = runner.invoke(app, ["actors", "--unknown", "--db", url, "--min-count", "4"])
    assert result.exit_code == EXIT_OK and "Morimoto" not in result.output
    result = runner.invoke(app, ["actors", "--unknown", "--db", url])
    assert "Haruto Morimoto" in result.output and "does not know" in result.output


def test_actors_command_without_unknown_lists_the_dossier(dossier_file):
    result = CliRunner().invoke(app, ["actors", "--dossier", str(dossier_file), "--json"])
    assert result.exit_code == EXIT_OK, result.output
    assert [a["name"] for a in json.loads(result.output)] == [
        "Shigeru Ishiba", "U.S. Department of Commerce"]
