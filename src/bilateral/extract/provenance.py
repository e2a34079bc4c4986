"""What made a record: the extractor's version and the dossier's content hash.

The version is the package version and a digest of the extraction code itself, so that two
checkouts of one release whose rules differ do not claim to be the same extractor. An extractor
that knows better (a trained model with its own version) says so with a ``version`` attribute.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from bilateral import __version__
from bilateral.dossier import Dossier
from bilateral.records import Provenance


@cache
def extractor_version() -> str:
    """``<package version>+<digest of the extraction modules' source>``."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def dossier_sha256(dossier: Dossier) -> str:
    """The content hash of the resolved dossier: the same for the same entries, however the
    file was written."""
    return hashlib.sha256(dossier.model_dump_json().encode()).hexdigest()


def provenance(extractor: Any, dossier: Dossier) -> Provenance:
    """The stamp for the records ``extractor`` makes with ``dossier``."""
    version = getattr(extractor, "version", None)
    return Provenance(extractor_version=version if isinstance(version, str) and version
                      else extractor_version(), dossier_sha256=dossier_sha256(dossier))
