"""The ``bilateral`` command: parse arguments, call one library function, print the result.

Commands live by what they do: ``records`` (ingest, extract, evaluate, query what is stored),
``answers`` (indicators, disputes, timeline, index, brief, demo), ``export`` (tables as CSV,
JSON lines or Parquet), ``forecast`` (negotiation forecasts and backtests) and ``server``
(serve, API tokens, watch a folder), ``engines`` (ingest on Spark); ``shared`` holds the app,
the options and the output every command uses.

Exit codes: 0 success; 1 an error stopped the command (message on stderr); 2 bad usage, or no
store to read (readers never create one); 3 the command finished but some inputs were rejected
(see the report). The README's table of exit and error codes is checked against the code.
"""

from __future__ import annotations

from bilateral.cli.shared import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, app

# Importing a module registers its commands, and --help lists them in that order.
from bilateral.cli import records  # noqa: F401  # isort: skip
from bilateral.cli import answers  # noqa: F401  # isort: skip
from bilateral.cli import server  # noqa: F401  # isort: skip
from bilateral.cli import export  # noqa: F401  # isort: skip
from bilateral.cli import forecast  # noqa: F401  # isort: skip
from bilateral.cli import engines  # noqa: F401  # isort: skip

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "app", "main"]


def main() -> None:
    """Entry point of the ``bilateral`` command."""
    app()
