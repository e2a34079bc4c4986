"""How a server runs: which store and dossier, who may call it, and its limits.

Settings travel through environment variables so that every worker process of a team server
builds the same application (``bilateral serve`` sets them before starting the workers).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bilateral.errors import InputError

ENV = {
    "db": "BILATERAL_DB",
    "dossier": "BILATERAL_DOSSIER",
    "cors_origins": "BILATERAL_CORS_ORIGINS",
    "max_upload_bytes": "BILATERAL_MAX_UPLOAD_BYTES",
    "rate_limit": "BILATERAL_RATE_LIMIT",
    "refresh_every": "BILATERAL_REFRESH_EVERY",
    "refresh_after_ingest": "BILATERAL_REFRESH_AFTER_INGEST",
    "cache_bytes": "BILATERAL_CACHE_BYTES",
}


@dataclass(frozen=True)
class ServeSettings:
    db: str | None = None  # store URL; None: $BILATERAL_DB, else ./bilateral.db
    dossier: str = "us-japan"
    cors_origins: tuple[str, ...] = field(default_factory=tuple)  # none: CORS off
    max_upload_bytes: int = 5_000_000  # largest request body a write may send
    rate_limit: int = 600  # requests a minute per client address (per worker); 0: no limit
    # The kept answers (bilateral.analyse.kept) are brought up to date after each ingest
    # through the API by the worker that did it, unless a refresher process does it for every
    # worker (as ``bilateral serve`` runs one), looking for new writes every ``refresh_every``
    # seconds.
    refresh_after_ingest: bool = True
    refresh_every: float = 2.0
    # Answers of the read API each worker keeps until the store changes (serve.cache); 0: none
    cache_bytes: int = 64 * 2**20

    def __post_init__(self) -> None:
        if self.max_upload_bytes < 1:
            raise InputError(f"max upload size must be at least 1 byte, got "
                             f"{self.max_upload_bytes}")
        if self.rate_limit < 0:
            raise InputError(f"rate limit must be 0 (none) or more requests a minute, got "
                             f"{self.rate_limit}")
        if self.cache_bytes < 0:
            raise InputError(f"the answer cache must be 0 (none) or more bytes, got "
                             f"{self.cache_bytes}")
        if self.refresh_every <= 0:
            raise InputError(f"the refresher's interval must be more than 0 seconds, got "
                             f"{self.refresh_every}")

    def to_env(self) -> dict[str, str]:
        """The settings as environment variables, for worker processes."""
        values = {"db": self.db, "dossier": self.dossier,
                  "cors_origins": ",".join(self.cors_origins),
                  "max_upload_bytes": str(self.max_upload_bytes),
                  "rate_limit": str(self.rate_limit),
                  "refresh_every": str(self.refresh_every),
                  "refresh_after_ingest": "1" if self.refresh_after_ingest else "0",
                  "cache_bytes": str(self.cache_bytes)}
        return {ENV[k]: v for k, v in values.items() if v is not None}

    @classmethod
    def from_env(cls) -> ServeSettings:
        env = {k: os.environ.get(v) for k, v in ENV.items()}
        try:
            return cls(
                db=env["db"] or None, dossier=env["dossier"] or "us-japan",
                cors_origins=tuple(o.strip() for o in (env["cors_origins"] or "").split(",")
                                   if o.strip()),
                max_upload_bytes=int(env["max_upload_bytes"] or 5_000_000),
                rate_limit=int(env["rate_limit"] or 600),
                refresh_every=float(env["refresh_every"] or 2.0),
                refresh_after_ingest=(env["refresh_after_ingest"] or "1") != "0",
                cache_bytes=int(env["cache_bytes"] or 64 * 2**20))
        except ValueError as exc:
            raise InputError(f"a server setting in the environment is not a number: {exc} "
                             f"(see {', '.join(ENV.values())})") from exc
