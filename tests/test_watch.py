"""Live ingest of a watched folder: files are ingested once whole, changed files again, hidden
ones never; and a running server shows what the watcher ingested without a restart."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import httpx
import pytest

from bilateral.dossier import load_dossier
from bilateral.errors import InputError
from bilateral.ingest.watch import watch
from bilateral.store import open_store
from live import _env, running_server, until

DEADLINE = 60.0
ARTICLE = ("TOKYO, July 23, 2025 -- Japan and the United States agreed on Tuesday to a 15% "
           "tariff on Japanese goods, report {n}.")


def test_once_ingests_what_is_there(tmp_path, sqlite_url):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(2):
        (inbox / f"a{n}.txt").write_text(ARTICLE.format(n=n), encoding="utf-8")
    store = open_store(sqlite_url)
    reports = []
    count = watch(inbox, store, load_dossier("us-japan"), once=True,
                  on_ingest=lambda paths, report: reports.append((paths, report)))
    assert count == 2 and store.count_documents() == 2
    assert [p.name for p in reports[0][0]] == ["a0.txt", "a1.txt"]
    assert reports[0][1].observations >= 2


def test_a_watched_folder_ingests_new_and_changed_files(tmp_path, sqlite_url):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    store = open_store(sqlite_url)
    stop = threading.Event()
    seen: list[str] = []
    runner = threading.Thread(target=watch, args=(inbox, store, load_dossier("us-japan")),
                              kwargs={"interval": 0.05, "stop": stop, "on_ingest":
                                      lambda paths, _report: seen.extend(p.name for p in paths)})
    runner.start()
    try:
        (inbox / ".partial.txt").write_text(ARTICLE.format(n=0), encoding="utf-8")
        (inbox / "first.txt").write_text(ARTICLE.format(n=1), encoding="utf-8")
        until(lambda: store.count_documents() == 1, "the first file is ingested")
        (inbox / "first.txt").write_text(ARTICLE.format(n=2), encoding="utf-8")
        until(lambda: store.count_documents() == 2, "the changed file is ingested again")
    finally:
        stop.set()
        runner.join(timeout=DEADLINE)
    assert not runner.is_alive()
    assert seen == ["first.txt", "first.txt"]  # the hidden file never


def test_watching_a_missing_folder_is_an_error(tmp_path, sqlite_url):
    with pytest.raises(InputError, match="not a folder"):
        watch(tmp_path / "nowhere", open_store(sqlite_url), load_dossier("us-japan"), once=True)


def test_the_server_shows_what_the_watcher_ingests(tmp_path, sqlite_url):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    open_store(sqlite_url).close()
    with running_server(sqlite_url, "--refresh-every", "0.1",
                        log=tmp_path / "server.log") as base:
        watcher = subprocess.Popen(
            [sys.executable, "-m", "bilateral", "watch", str(inbox), "--db", sqlite_url,
             "--interval", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=_env())
        try:
            assert httpx.get(f"{base}/api/documents").json()["total"] == 0
            (inbox / "deal.txt").write_text(ARTICLE.format(n=7), encoding="utf-8")
            until(lambda: httpx.get(f"{base}/api/documents").json()["total"] == 1,
                  "the server lists the dropped article")
            until(lambda: any(i["status"] == "agreed" and i["value"] == 15 for i in
                              httpx.get(f"{base}/api/indicators").json()["items"]),
                  "the server's indicators include the dropped article's figure")
        finally:
            watcher.send_signal(signal.SIGTERM)  # as a service manager stops it
            output, _ = watcher.communicate(timeout=DEADLINE)
        assert watcher.returncode == 0
        assert "deal.txt: documents new 1" in output and "Ingested 1 file. Stopped." in output
