"""The package as a user gets it: the wheel built from this tree, installed with its dependencies
resolved afresh from the package registry (no lockfile, so the newest releases) into a new
virtual environment, and the installed ``bilateral`` run on the bundled examples; and the
message a command gives when an extra it needs is not installed.

The install needs the registry (pip's cache may serve it); a failed build or install fails the
test. It runs on the interpreter running the tests; BILATERAL_TEST_PYTHONS (interpreter paths
separated by os.pathsep) runs it on others, e.g. to check a new Python release.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bilateral.errors import BilateralError, MissingExtra
from bilateral.extras import EXTRAS, require

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
PYTHONS = [p for p in os.environ.get("BILATERAL_TEST_PYTHONS", "").split(os.pathsep) if p] \
    or [sys.executable]
INSTALL_TIMEOUT = 900  # seconds: a cold cache downloads spaCy, its model and the chart converter
RUN_TIMEOUT = 300


# ----------------------------------------------------------------------------- the check


def test_require_names_the_extra_and_its_install_command() -> None:
    with pytest.raises(MissingExtra) as caught:
        require("web", "bilateral serve", modules=["bilateral_test_module_not_installed"])
    error = caught.value
    assert isinstance(error, BilateralError)
    assert (error.extra, error.module) == ("web", "bilateral_test_module_not_installed")
    text = str(error)
    assert text.startswith("[B700] bilateral serve needs the optional part bilateral[web]")
    assert "No module named 'bilateral_test_module_not_installed'" in text
    assert text.endswith("Install it with: pip install 'bilateral[web]'")


def test_every_extra_is_declared_and_its_modules_import_here() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(EXTRAS) <= set(declared["project"]["optional-dependencies"])
    for extra in EXTRAS:  # the development environment has every extra installed
        require(extra, f"the {extra} check")
    with pytest.raises(ValueError, match="unknown extra 'gpu'"):
        require("gpu", "nothing")


# ----------------------------------------------------------------------------- the wheel


def _uv() -> str:
    found = ROOT / ".tools" / "bin" / "uv"
    if found.is_file():
        return str(found)
    on_path = shutil.which("uv")
    if on_path is None:
        pytest.fail("the install test needs uv: run 'make setup' (it bootstraps .tools/bin/uv) "
                    "or put uv on PATH", pytrace=False)
    return on_path


def _run(command: list[str | Path], *, timeout: float = RUN_TIMEOUT, cwd: Path | None = None,
         env: dict[str, str] | None = None, expect: int = 0) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test, with its output, unless it exits with ``expect``."""
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != expect:
        pytest.fail(f"{' '.join(map(str, command))} exited {done.returncode}, expected "
                    f"{expect}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n"
                    f"{done.stderr[-4000:]}", pytrace=False)
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([_uv(), "build", "--wheel", "--no-config", "--out-dir", out, ROOT], cwd=out,
         timeout=INSTALL_TIMEOUT)
    built = sorted(out.glob("bilateral-*.whl"))
    assert len(built) == 1, f"expected one wheel in {out}, found {built}"
    return built[0]


@pytest.fixture(scope="module", params=PYTHONS)
def installed(request: pytest.FixtureRequest, wheel: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and its dependencies (core only), installed by
    the interpreter's own pip as a user would; its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    _run([request.param, "-m", "venv", venv], cwd=venv)
    _run([venv / "bin" / "python", "-m", "pip", "install", "--quiet",
          "--disable-pip-version-check", wheel], cwd=venv, timeout=INSTALL_TIMEOUT)
    return venv / "bin"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BILATERAL_", "VIRTUAL_ENV"))}
    env["XDG_CACHE_HOME"] = str(home / "cache")  # the HTML brief caches the Vega bundle there
    env["COLUMNS"] = "200"
    return env


@pytest.mark.install
def test_installed_wheel_ingests_extracts_and_writes_the_brief(installed: Path,
                                                               tmp_path: Path) -> None:
    bilateral = installed / "bilateral"
    env = _env(tmp_path)
    db = f"sqlite:///{tmp_path / 'news.db'}"
    report = tmp_path / "report.json"
    _run([bilateral, "ingest", EXAMPLES, "--db", db, "--report", report], env=env, cwd=tmp_path)
    counts = json.loads(report.read_text(encoding="utf-8"))
    articles = len([p for p in EXAMPLES.iterdir() if p.suffix in (".md", ".txt", ".html")])
    articles += sum(1 for line in (EXAMPLES / "wire.jsonl").open(encoding="utf-8")
                    if line.strip())
    assert counts["documents_read"] == counts["documents_new"] == articles
    assert counts["rejections"] == []
    assert counts["observations"] > 50 and counts["events"] > 50

    rows = json.loads(_run([bilateral, "observations", "--indicator",
                            "japan_defense_spending_gdp", "--json", "--db", db],
                           env=env, cwd=tmp_path).stdout)
    assert {row["value"] for row in rows} >= {1.6, 2.0}
    assert all(row["quote"] in row["sentence"] for row in rows)

    predictions = tmp_path / "predictions.jsonl"
    _run([bilateral, "extract", EXAMPLES, "--out", predictions], env=env, cwd=tmp_path)
    lines = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == articles
    with_records = [d for d in lines if d["observations"] or d["events"]]
    assert len(with_records) > articles // 2
    assert any(o["indicator"] == "us_troops_in_japan" for d in lines for o in d["observations"])

    markdown, html = tmp_path / "brief.md", tmp_path / "brief.html"
    _run([bilateral, "brief", "--db", db, "--out", markdown], env=env, cwd=tmp_path)
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# United States–Japan: analyst brief")
    assert "## Headline figures" in text and "1.6% of GDP" in text
    _run([bilateral, "brief", "--db", db, "--out", html], env=env, cwd=tmp_path)
    page = html.read_text(encoding="utf-8")
    assert "<h1>United States–Japan: analyst brief</h1>" in page
    assert "vegaEmbed" in page  # the chart libraries are inlined, so the page works offline


@pytest.mark.install
def test_installed_core_names_the_extra_a_command_needs(installed: Path, tmp_path: Path) -> None:
    bilateral = installed / "bilateral"
    env = _env(tmp_path)
    for command, extra, module in (
        (["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"], "web", "fastapi"),
        (["docs", "--db", "postgresql://nobody@127.0.0.1:1/none"], "postgres", "psycopg"),
        (["spark", "ingest", str(tmp_path), "--out", str(tmp_path / "out")], "spark", "pyspark"),
    ):
        done = _run([bilateral, *command], env=env, cwd=tmp_path, expect=1)
        message = " ".join(done.stderr.split())
        assert message.startswith("Error: [B700] "), message
        assert f"module '{module}'" in message
        assert f"Install it with: pip install 'bilateral[{extra}]'" in message
        assert "Traceback" not in done.stderr + done.stdout
