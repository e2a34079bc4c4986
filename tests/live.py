"""Real processes for the tests that need them: `bilateral serve` on a free port, waited for
by polling its health endpoint (with a deadline, never a fixed sleep), stopped afterwards; and
Debian's Chromium, which Playwright drives (it never downloads a browser of its own)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

STARTUP_SECONDS = 60.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MARKS = "[role=graphics-symbol]"  # every drawn point, line, bar and rule of a Vega chart


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bilateral(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run the command line in a process of its own, as a user would."""
    return subprocess.run([sys.executable, "-m", "bilateral", *args], capture_output=True,
                          text=True, check=check, env=_env(), **kwargs)


@contextmanager
def running_server(db_url: str, *options: str, log: Path | None = None,
                   caught_up: bool = True) -> Iterator[str]:
    """A `bilateral serve` process over ``db_url``; yields its base URL once it answers and
    (with ``caught_up``) its refresher has kept the answers of what the store holds."""
    port = free_port()
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "bilateral", "serve", "--db", db_url, "--port", str(port),
         *options], stdout=output, stderr=subprocess.STDOUT, env=_env(),
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        if caught_up:
            answers_caught_up(base)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log:
            output.close()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path | None) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            told = log.read_text() if log else "(no log kept)"
            raise RuntimeError(f"bilateral serve exited with {process.returncode}:\n{told}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        process_wait(process, 0.1)
    raise RuntimeError(f"bilateral serve did not answer at {base} within {STARTUP_SECONDS} s")


def until(condition, what: str, seconds: float = STARTUP_SECONDS) -> None:
    """Wait for ``condition`` with a deadline, looking every 0.05 s; fails naming ``what``."""
    import pytest

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"within {seconds:g} s: {what}")
        threading.Event().wait(0.05)


def answers_caught_up(base: str) -> None:
    """Wait until the server's refresher shows every write in its answers."""
    until(lambda: httpx.get(f"{base}/api/health", timeout=10).json()["answers_pending"] == 0,
          "the server's kept answers caught up with the writes")


def process_wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait for the process to end, at most ``seconds``: a pause that ends early on exit."""
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=seconds)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILATERAL_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def clickable_point(page, chart: str, *words: str) -> dict | None:
    """The centre and link of the first chart point that is on top where it is drawn (so a
    click reaches it) and whose label holds every one of ``words``; None when there is none."""
    return page.evaluate("""([selector, words]) => {
        for (const point of document.querySelectorAll(selector)) {
            const box = point.getBoundingClientRect();
            const x = box.x + box.width / 2, y = box.y + box.height / 2;
            const label = point.getAttribute('aria-label') || '';
            if (document.elementFromPoint(x, y) === point
                    && words.every((word) => label.includes(word))) {
                return {x, y, href: label.split('href: ')[1]};
            }
        }
        return null;
    }""", [f"{chart} {MARKS}[aria-roledescription=point]", list(words)])
