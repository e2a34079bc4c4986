"""README.md shows what its commands really print.

Every output block of the README is written by scripts/readme_outputs.py through cog, which runs
the command in a scratch folder; here cog checks that the README holds exactly what the commands
print today. When it does not, `make readme` regenerates it. The dev-set evaluation the README
shows reads ../shared/corpus/dev, so this test, like the quality gate, needs the shared corpora
beside the repository and fails (does not skip) without them.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from cogapp import Cog

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SCRIPTS = ROOT / "scripts"
CHECK_FAILED = 5  # cog's exit status when a file would change

sys.path.insert(0, str(SCRIPTS))
import readme_outputs  # noqa: E402


def cog(*args: str | Path) -> tuple[int, str]:
    """Run cog in this process (so the commands' outputs are produced once for every test) and
    return its exit status and what it printed."""
    printed = io.StringIO()
    runner = Cog()
    runner.set_output(stdout=printed, stderr=printed)
    status = runner.main(["cog", "-I", str(SCRIPTS), *map(str, args)])
    return status, printed.getvalue()


def test_the_readme_shows_what_its_commands_print():
    status, printed = cog("--check", "--diff", README)
    assert status == 0, (
        "README.md does not show what its commands print today; run `make readme` to "
        f"regenerate it, and read the changes before committing them:\n{printed}")


def test_an_output_edited_by_hand_fails_the_check_until_regenerated(tmp_path):
    text = README.read_text(encoding="utf-8")
    shown = "$ bilateral indicator japan_investment_pledge_usd\n"
    block = text.index(shown)
    row = text.index("agreed", block)
    edited = text[:row] + "target" + text[row + len("agreed"):]
    copy = tmp_path / "README.md"
    copy.write_text(edited, encoding="utf-8")

    status, printed = cog("--check", "--diff", copy)
    assert status == CHECK_FAILED, printed
    assert "\n-2025-07-22  target " in printed, printed  # the diff names the edited line
    assert "\n+2025-07-22  agreed " in printed, printed  # and what the command prints

    status, printed = cog("-r", copy)
    assert status == 0, printed
    assert copy.read_text(encoding="utf-8") == text


def test_every_output_block_is_generated():
    """Every fenced block that shows a `$ command` with its output is generated."""
    lines = README.read_text(encoding="utf-8").splitlines()
    generated, inside = set(), False
    for number, line in enumerate(lines):
        if line.startswith("<!-- [[[cog"):
            inside = True
        elif line == "<!-- [[[end]]] -->":
            inside = False
        elif inside:
            generated.add(number)
    fences = [n for n, line in enumerate(lines) if line.lstrip().startswith("```")]
    for start, end in zip(fences[::2], fences[1::2], strict=True):
        body = lines[start + 1:end]
        commands = [line for line in body if line.startswith("$ ")]
        outputs = [line for line in body if line.strip() and not line.startswith("$ ")]
        if commands and outputs:
            assert start in generated, (
                f"README.md line {start + 1}: a command's output pasted by hand; generate it "
                "with a cog block calling scripts/readme_outputs.py")


def test_rows_keeps_the_head_and_tail_of_a_table_and_marks_the_cut():
    table = "\n".join([
        "title",
        "┏━━━━━┳━━━━┓",
        "┃ a   ┃ b  ┃",
        "┡━━━━━╇━━━━┩",
        *(f"│ r{i}  │ {i}  │" for i in range(1, 6)),
        "└─────┴────┘",
        "after",
    ])
    trimmed = readme_outputs.rows(head=2, tail=1)(table).splitlines()
    assert trimmed[4:8] == ["│ r1  │ 1  │", "│ r2  │ 2  │", "│ ... │    │", "│ r5  │ 5  │"]
    assert trimmed[8:] == ["└─────┴────┘", "after"]
    assert readme_outputs.rows(head=3, tail=2)(table) == table  # nothing to cut
    assert readme_outputs.first_lines(2)("a\nb\nc") == "a\nb\n..."
