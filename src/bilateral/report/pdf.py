"""The brief as PDF: the static HTML page printed by a headless Chromium or Chrome.

A browser prints the same page the analyst reads on screen, with the same fonts and charts, so
the PDF needs no layout engine of its own. The browser runs with a fresh profile, no network
services and a time limit; the PDF is written beside its destination and renamed into place, so
a failed or interrupted run never leaves half a file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from bilateral.errors import ReportError
from bilateral.report.brief import Brief
from bilateral.report.html import render_html

BROWSER_ENV = "BILATERAL_BROWSER"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FALLBACK_BROWSER = "/usr/bin/chromium"
TIMEOUT = 120.0  # seconds the browser may take to print
STDERR_TAIL = 1500  # characters of the browser's error output quoted in a failure


def find_browser(browser: str | None = None) -> str:
    """The browser to print with: ``browser`` (a path or a command name), else
    $BILATERAL_BROWSER, else the first Chromium or Chrome on PATH."""
    wanted = browser or os.environ.get(BROWSER_ENV)
    if wanted:
        found = shutil.which(wanted)
        if found:
            return found
        origin = "given" if browser else f"set in ${BROWSER_ENV}"
        raise ReportError(
            f"PDF output needs Chromium or Chrome, and the browser {origin} ({wanted!r}) is not "
            f"an executable file. Point {BROWSER_ENV} at a Chromium or Chrome binary (e.g. "
            f"{BROWSER_ENV}=/usr/bin/chromium), or write the brief as .html meanwhile.")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    if os.access(FALLBACK_BROWSER, os.X_OK):
        return FALLBACK_BROWSER
    raise ReportError(
        f"PDF output needs Chromium or Chrome, and none was found on PATH "
        f"({', '.join(BROWSER_NAMES)}). Install one (e.g. apt install chromium) or set "
        f"{BROWSER_ENV} to its path; meanwhile write the brief as .html and print it from a "
        f"browser.")


def write_pdf(brief: Brief, path: str | os.PathLike[str], *, browser: str | None = None,
              timeout: float = TIMEOUT) -> Path:
    """Print the brief to ``path`` as an A4 PDF with a headless Chromium or Chrome."""
    executable = find_browser(browser)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bilateral-pdf-") as work:
        page = Path(work) / "brief.html"
        page.write_text(render_html(brief, static=True), encoding="utf-8")
        profile = Path(work) / "profile"
        profile.mkdir()
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            _print(executable, page, partial, profile, timeout)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target


def _print(executable: str, page: Path, output: Path, profile: Path, timeout: float) -> None:
    command = [
        executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
        "--no-pdf-header-footer", f"--user-data-dir={profile}", f"--print-to-pdf={output}",
        page.as_uri(),
    ]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, errors="replace",
                                   start_new_session=True)
    except OSError as exc:
        raise ReportError(f"the browser {executable} could not be started to print the PDF: "
                          f"{exc}; set {BROWSER_ENV} to a working Chromium or Chrome") from exc
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        _, stderr = process.communicate()
        raise ReportError(f"the browser {executable} did not finish printing the PDF within "
                          f"{timeout:g} s{_tail(stderr)}; try again, or write the brief as "
                          f".html and print it from a browser") from None
    if process.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        raise ReportError(f"the browser {executable} failed to print the PDF (exit code "
                          f"{process.returncode}){_tail(stderr)}; check that it runs headless "
                          f"here, or write the brief as .html meanwhile")


def _stop(process: subprocess.Popen[str]) -> None:
    """End the browser and the helper processes it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(stderr: str | None) -> str:
    text = (stderr or "").strip()
    if not text:
        return ""
    return f". Its last output:\n{text[-STDERR_TAIL:]}\n"
