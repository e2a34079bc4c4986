"""The optional parts of bilateral and the check that names the one a command is missing.

The core install ingests, extracts, evaluates and writes briefs; heavier parts are extras:

    pip install 'bilateral[web]'       bilateral serve: the REST API and the dashboard
    pip install 'bilateral[postgres]'  stores on PostgreSQL (the psycopg driver)
    pip install 'bilateral[train]'     bilateral train (scikit-learn)
    pip install 'bilateral[feeds]'     bilateral watch --feed (feedparser, httpx)
    pip install 'bilateral[spark]'     bilateral spark ingest on Apache Spark (PySpark)

Code that needs an extra imports it inside the function that uses it, after ``require``, so a
core install never loads (or misses) it and a missing one is an ``Error:`` with the install
command, not a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from bilateral.errors import MissingExtra

#: The modules each extra brings, as imported (the pyproject lists them as packages).
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "python_multipart"),
    "postgres": ("psycopg",),
    "train": ("sklearn",),
    "feeds": ("feedparser", "httpx"),
    "spark": ("pyspark",),
}


def require(extra: str, purpose: str, modules: Sequence[str] | None = None) -> None:
    """Import the modules of ``extra`` (or ``modules``), or raise MissingExtra naming
    ``purpose`` and the pip command that installs them."""
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; the extras are {', '.join(EXTRAS)}")
    for module in EXTRAS[extra] if modules is None else modules:
        try:
            import_module(module)
        except ImportError as exc:
            raise MissingExtra(extra, purpose, module, str(exc)) from exc
