"""The refresher process ``bilateral serve`` runs beside its workers.

It keeps the store's answers up to date (``bilateral.analyse.kept.refresh``) for every worker,
so none of them spends its time on the analysis while it answers requests; in a process of its
own it runs at a lower CPU priority than the workers, so readers are served first. It looks for
writes
every ``refresh_every`` seconds; a failure is logged and tried again at the next look, never
fatal. SIGTERM or SIGINT stops it after the indicator or event group under way, its lease
freed and the rest left marked for the next refresher.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from bilateral.analyse.kept import refresh
from bilateral.dossier import load_dossier
from bilateral.errors import BilateralError
from bilateral.serve.settings import ServeSettings
from bilateral.store import open_store

log = logging.getLogger("bilateral.serve")
NICENESS = 10  # added to the process's nice value: the workers' requests come first


def run_refresher(settings: ServeSettings, stop: threading.Event | None = None) -> None:
    """Refresh until ``stop`` is set (or a signal arrives, in a process of its own)."""
    if stop is None:
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        os.nice(NICENESS)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    store = open_store(settings.db)
    dossier = load_dossier(settings.dossier)
    try:
        while not stop.is_set():
            try:
                done = refresh(store, dossier, stop=stop.is_set)
                if done.indicators or done.event_groups:
                    log.info("kept answers refreshed: %d indicators, %d event groups, %d dyads",
                             done.indicators, done.event_groups, done.dyads)
            except BilateralError as exc:
                log.error("refreshing the kept answers failed (tried again in %g s): %s",
                          settings.refresh_every, exc)
            except Exception:  # a record the analysis cannot read: logged, tried again
                log.exception("refreshing the kept answers failed (tried again in %g s)",
                              settings.refresh_every)
            stop.wait(settings.refresh_every)
    finally:
        store.close()
