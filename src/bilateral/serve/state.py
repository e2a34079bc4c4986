"""What one server process holds: its settings, store, dossier, analysis, forecasts and
extractor."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from fastapi import Request

from bilateral.dossier import Dossier
from bilateral.serve.answers import Answers, Forecasts
from bilateral.serve.settings import ServeSettings
from bilateral.store import Store

if TYPE_CHECKING:
    from bilateral.extract import Extractor


@dataclass
class ServerState:
    settings: ServeSettings
    store: Store
    dossier: Dossier
    answers: Answers
    forecasts: Forecasts  # the negotiations' forecasts, kept per state of the store
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def extractor(self) -> Extractor:
        """Built on the first ingest, so a read-only server never loads the pipeline."""
        from bilateral.extract import Extractor

        return Extractor(self.dossier)


def server_state(request: Request) -> ServerState:
    return request.app.state.bilateral
