"""Report: how records are shown to people (terminal tables, and the analyst brief).

The brief is assembled once as data (``build_brief``) and rendered to HTML for a browser, to
PDF through a headless Chromium or Chrome, or to Markdown for a terminal; ``write_brief``
picks the format from the file's suffix.

    brief = build_brief(open_store("sqlite:///news.db"), load_dossier("us-japan"))
    write_brief(brief, "brief.html")

Names are imported on first use, so the CLI's table formatting never loads the chart converter.
"""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilateral.errors import ReportError

if TYPE_CHECKING:
    from bilateral.report.brief import Brief, build_brief
    from bilateral.report.html import render_html
    from bilateral.report.markdown import render_markdown
    from bilateral.report.pdf import write_pdf

_EXPORTS = {
    "Brief": "bilateral.report.brief", "build_brief": "bilateral.report.brief",
    "render_html": "bilateral.report.html", "render_markdown": "bilateral.report.markdown",
    "write_pdf": "bilateral.report.pdf",
}
#: The formats ``write_brief`` writes, by file suffix.
SUFFIXES = (".html", ".htm", ".pdf", ".md")

__all__ = [
    "SUFFIXES", "Brief", "build_brief", "render_html", "render_markdown", "write_brief",
    "write_pdf",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bilateral.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


def write_brief(brief: Brief, path: str | os.PathLike[str], *,
                browser: str | None = None) -> Path:
    """Write the brief in the format its suffix names: .html/.htm, .pdf or .md.

    Parent directories are created; the file appears whole or not at all. ``browser`` is the
    Chromium or Chrome that prints a PDF (see ``write_pdf``)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReportError(
            f"cannot write a brief to {str(target)!r}: the suffix {suffix or '(none)'!r} names "
            f"no brief format; use one of {', '.join(SUFFIXES)}")
    if suffix == ".pdf":
        from bilateral.report.pdf import write_pdf

        return write_pdf(brief, target, browser=browser)
    if suffix == ".md":
        from bilateral.report.markdown import render_markdown

        text = render_markdown(brief)
    else:
        from bilateral.report.html import render_html

        text = render_html(brief)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_whole(target, text)
    return target


def _write_whole(target: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
