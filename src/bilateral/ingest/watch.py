"""Live ingest: a folder watched for files that arrive, each ingested once it is whole.

The folder is scanned every ``interval`` seconds. A file is ingested when its size and time of
change are the same in two scans in a row, so one still being written or copied is left for the
next scan; a file changed after it was ingested is ingested again (the store keeps what it had,
by content hash, and adds what is new). Hidden files and temporary names are ignored, as ingest
ignores them in any folder. Scanning by polling works on every file system, network shares
included, where change notifications do not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from bilateral.dossier import Dossier
from bilateral.errors import InputError
from bilateral.ingest.readers import discover
from bilateral.ingest.run import IngestReport, ingest
from bilateral.store import Store

Signature = tuple[int, int]  # (size, modification time in ns)


def watch(folder: str | Path, store: Store, dossier: Dossier, *, interval: float = 2.0,
          once: bool = False, stop: threading.Event | None = None,
          on_ingest: Callable[[list[Path], IngestReport], None] | None = None) -> int:
    """Ingest the files in ``folder`` as they arrive until ``stop`` is set; with ``once``,
    ingest what is there now and return. Returns the number of files ingested."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"cannot watch {root}: it is not a folder")
    from bilateral.extract import Extractor

    extractor = Extractor(dossier)
    stop = stop or threading.Event()
    ingested: dict[Path, Signature] = {}
    last_seen: dict[Path, Signature] = {}
    count = 0
    while True:
        current = _scan(root)
        ready = sorted(p for p, sig in current.items()
                       if ingested.get(p) != sig and (once or last_seen.get(p) == sig))
        last_seen = current
        if ready:
            report = ingest(ready, store, dossier, extractor=extractor)
            ingested.update((p, current[p]) for p in ready)
            count += len(ready)
            if on_ingest:
                on_ingest(ready, report)
        if once or stop.wait(interval):
            return count


def _scan(root: Path) -> dict[Path, Signature]:
    found: dict[Path, Signature] = {}
    for item in discover([root]):
        if isinstance(item, Path):
            try:
                info = item.stat()
            except OSError:  # removed between listing and looking
                continue
            found[item] = (info.st_size, info.st_mtime_ns)
    return found
