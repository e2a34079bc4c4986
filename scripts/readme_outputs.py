"""The command outputs that README.md shows, produced by running the commands.

Each output in README.md sits between cog markers (cogapp, in HTML comments, so they do not
show) whose Python calls this module:

    <!-- [[[cog cog.out(block(shell("bilateral observations --limit 4"))) ]]] -->
    ```
    $ bilateral observations --limit 4
    ...what the command printed...
    ```
    <!-- [[[end]]] -->

    make readme                                    # cog -r -I scripts README.md: regenerate
    .venv/bin/cog --check -I scripts README.md     # exit 5 when a block is out of date

tests/test_readme.py runs the check, so an output edited by hand, or one the code no longer
prints, fails the test suite until `make readme` regenerates it.

The commands run as shown, through bash, with the ``bilateral`` of the interpreter that runs
cog, in a scratch folder laid out like a checkout: ``examples/`` (a copy of the example corpus)
beside the files the README's examples name (``broken.jsonl``, ``mine.yaml``), and ``../shared``
pointing at the shared corpora beside the repository (the dev-set evaluation reads them). Before
the first command two stores are built, side by side: ``bilateral demo`` writes ``out/demo.db``
and ``bilateral ingest examples/corpus`` the default store ``bilateral.db``, which the README's
queries read since they name no ``--db``. Their outputs are kept, so the README's demo and
ingest blocks (``shell(DEMO)``, ``shell(INGEST)``) show the runs that built the stores. The
example of a missing extra runs with the extra's modules hidden from import (``missing=``), as
on an install without it.

Output is made repeatable: 100 columns (``COLUMNS``), a fixed environment (no ``BILATERAL_*``
variable of the caller's), stderr merged into stdout as a terminal shows them, trailing spaces
removed, a line printed unwrapped (for the terminal to wrap) folded at spaces to 100 columns,
and the scratch folder's path replaced by ``.``. A trim (``first_lines``, ``rows``)
shortens an output on purpose and marks the cut with ``...``; nothing is cut by hand.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
COLUMNS = 100
TIMEOUT = 600  # seconds for one command

#: The two commands that build the stores the other examples read.
DEMO = "bilateral demo"
INGEST = "bilateral ingest examples/corpus --report report.json"

#: Files the README's examples name, written into the scratch folder.
FILES = {
    # A JSONL line with a raw tab inside a string: not JSON.
    "broken.jsonl": '{"title": "Notes", "text": "a\tb"}\n',
    # Two people given one alias, and one office held twice at once.
    "mine.yaml": """\
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
    aliases: [Stand-In, placeholder]
    roles:
      - {state: USA, title: President, start: 2023-06-01}
indicators:
  - {id: tariff, name: Tariff, unit: percent, cues: [[tariff*]]}
events:
  - {type: CONSULT, triggers: [met, "held talks"]}
negations: [not, never]
""",
}

#: Installed in place of a missing package (see ``shell(..., missing=...)``): the import fails
#: as it does where the package was never installed.
HIDE_MODULES = """\
import sys

HIDDEN = {hidden!r}


class HiddenModules:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, HiddenModules())
"""

_outputs: dict[tuple[str, tuple[str, ...]], str] = {}
_folder: Path | None = None


# ----------------------------------------------------------------------------- running


def workspace() -> Path:
    """The scratch folder the commands run in, with both stores built (once per process)."""
    global _folder
    if _folder is None:
        base = Path(tempfile.mkdtemp(prefix="bilateral-readme-"))
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        folder = base / "bilateral"
        shutil.copytree(ROOT / "examples", folder / "examples")
        for name, text in FILES.items():
            (folder / name).write_text(text, encoding="utf-8")
        if SHARED.is_dir():
            (base / "shared").symlink_to(SHARED, target_is_directory=True)
        _folder = folder
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(output, (DEMO, INGEST)))
    return _folder


def _environment(folder: Path, missing: tuple[str, ...]) -> dict[str, str]:
    scripts = Path(sys.executable).parent
    if not (scripts / "bilateral").is_file():
        raise RuntimeError(f"no bilateral command beside {sys.executable}; run cog with the "
                           "project's environment: make readme")
    env = {
        "PATH": os.pathsep.join([str(scripts), os.environ.get("PATH", os.defpath)]),
        "HOME": os.environ.get("HOME", str(folder)),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONHASHSEED": "0",
        "COLUMNS": str(COLUMNS),
        "LINES": "50",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    if missing:
        hidden = folder.parent / ("without-" + "-".join(missing))
        hidden.mkdir(exist_ok=True)
        (hidden / "sitecustomize.py").write_text(
            HIDE_MODULES.format(hidden=sorted(missing)), encoding="utf-8")
        env["PYTHONPATH"] = str(hidden)
    return env


def output(command: str, *, expect: int = 0, missing: Iterable[str] = ()) -> str:
    """What ``command`` prints (stdout and stderr, as a terminal shows them), run once.

    ``expect`` is the exit status it must end with; ``missing`` names top-level modules to run
    it without, as on an install that lacks the extra that brings them."""
    hidden = tuple(sorted(missing))
    key = (command, hidden)
    if key not in _outputs:
        if "../shared/" in command and not SHARED.is_dir():
            raise RuntimeError(f"{command!r} reads the shared corpora, which are to be beside "
                               f"the repository, and {SHARED} does not exist")
        folder = workspace()
        done = subprocess.run(["bash", "-c", command], cwd=folder,
                              env=_environment(folder, hidden), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                              timeout=TIMEOUT, check=False)
        text = done.stdout
        for path in {str(folder), str(folder.resolve())}:
            text = text.replace(path + os.sep, "").replace(path, ".")
        text = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
        if done.returncode != expect:
            raise RuntimeError(f"{command!r} exited {done.returncode}, not {expect}:\n{text}")
        _outputs[key] = text
    return _outputs[key]


def _fold(line: str) -> list[str]:
    """A line printed unwrapped (for the terminal to wrap) folded at spaces to ``COLUMNS``,
    as a terminal of that width shows it but for the place of the breaks."""
    if len(line) <= COLUMNS:
        return [line]
    return textwrap.wrap(line, COLUMNS, break_long_words=False, break_on_hyphens=False) or [""]


# ----------------------------------------------------------------------------- showing

Trim = Callable[[str], str]


def shell(command: str, *, expect: int = 0, missing: Iterable[str] = (),
          trim: Trim | None = None) -> str:
    """``$ command`` and its output (see ``output``), shortened by ``trim``."""
    text = output(command, expect=expect, missing=missing)
    text = "\n".join(folded for line in text.splitlines() for folded in _fold(line))
    return f"$ {command}\n{trim(text) if trim else text}".rstrip("\n")


def block(*parts: str, language: str = "") -> str:
    """A fenced code block of ``parts``, a blank line between them."""
    return f"```{language}\n" + "\n\n".join(parts) + "\n```\n"


def first_lines(count: int) -> Trim:
    """Keep the first ``count`` lines and mark the cut."""
    def trim(text: str) -> str:
        lines = text.splitlines()
        return text if len(lines) <= count else "\n".join([*lines[:count], "..."])
    return trim


def rows(head: int, tail: int = 0, table: int = -1) -> Trim:
    """Keep the first ``head`` and last ``tail`` body lines of a boxed table (the
    ``table``-th of the output, the last by default), a row of ``...`` between them."""
    def trim(text: str) -> str:
        lines = text.splitlines()
        tops = [i for i, line in enumerate(lines) if line.lstrip().startswith("┡")]
        start = tops[table] + 1
        end = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("└"))
        body = lines[start:end]
        if len(body) <= head + tail:
            return text
        kept = [*body[:head], _ellipsis_row(body[0]), *body[len(body) - tail:]]
        return "\n".join([*lines[:start], *kept, *lines[end:]])
    return trim


def _ellipsis_row(row: str) -> str:
    """A table row like ``row``, its cells empty but for ``...`` in the first."""
    cells = row.split("│")
    blank = ["" if not cells[0].strip() else cells[0],
             *(" " * len(c) for c in cells[1:-1]), cells[-1]]
    if len(cells) > 2:
        first = cells[1]
        blank[1] = (" ..." + " " * len(first))[:len(first)]
    return "│".join(blank)


# ----------------------------------------------------------------------------- prose


def differences_sentence() -> str:
    """How the example corpus's differences between documents divide into disputes and
    revisions, from ``bilateral disputes`` and ``bilateral revisions``."""
    disputes = len(json.loads(output("bilateral disputes --json")))
    revisions = len(json.loads(output("bilateral revisions --json")))
    return textwrap.fill(
        f"In the example corpus, {revisions} of the {disputes + revisions} differences between "
        f"documents read as revisions, which leaves {disputes} dispute{'s' * (disputes != 1)}.",
        COLUMNS) + "\n"


def interchange_example(corpus: str = "examples/corpus/wire.jsonl",
                        doc_id: str = "ex-wire-005") -> str:
    """One document of ``bilateral extract``'s interchange format, its first observation shown
    and its events left out, as a fenced JSON block."""
    output(f"bilateral extract {corpus} --out predictions.jsonl")
    path = workspace() / "predictions.jsonl"
    documents = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    document = next(d for d in documents if d["doc_id"] == doc_id)
    head = {k: document[k] for k in ("doc_id", "published", "title")}
    first, *more = document["observations"]
    fields = list(first.items())
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ",",
             ' "observations": [{' + _fields(fields[:3]) + ",",
             "   " + _fields(fields[3:6]) + ",",
             "   " + _fields(fields[6:]) + ("}, ...]," if more else "}],"),
             ' "events": [...]}']
    return block("\n".join(lines), language="json")


def _fields(pairs: list[tuple[str, object]]) -> str:
    return ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in pairs)
