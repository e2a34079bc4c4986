"""The exceptions bilateral raises, one tree so callers can catch at the level they need.

    BilateralError                 base of everything the project raises on purpose
    ├── DossierError               a dossier file is missing, unreadable or invalid
    ├── InputError                 a file, line or argument cannot be used as input
    ├── ExtractionError            a stage failed on a document (carries doc id and stage)
    │   └── OverBudget             a document took longer than its extraction budget
    ├── ModelError                 a model directory is missing, unreadable or invalid
    ├── StoreError                 the database could not be opened, migrated or written
    │   ├── LookupFailed           a reference names no document, or more than one
    │   └── StoreMissing           no store where one was to be read (and none is created)
    ├── EvaluationError            gold or prediction files cannot be scored
    ├── ReportError                a brief cannot be written (format, browser for PDF)
    ├── ForecastError              a negotiation cannot be forecast (inputs, issue, model)
    │   └── ScenarioError          a scenario file or dossier issue has an unusable value
    ├── EngineError                a batch job on an execution engine (Spark) failed
    └── MissingExtra               a command needs an optional part that is not installed

Every message says what happened, where, and what to do; codes (``B1xx``) are stable so a
user can search for them.
"""

from __future__ import annotations


class BilateralError(Exception):
    """Base class: the CLI turns any of these into ``Error: ...`` and exit code 1 (2 for a
    missing store)."""

    code = "B000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class DossierError(BilateralError):
    code = "B100"


class InputError(BilateralError):
    code = "B200"


class ExtractionError(BilateralError):
    code = "B300"

    def __init__(self, message: str, *, doc_id: str | None = None, stage: str | None = None):
        where = ", ".join(p for p in (f"document {doc_id}" if doc_id else "",
                                      f"stage {stage}" if stage else "") if p)
        super().__init__(f"{message} ({where})" if where else message)
        self.doc_id = doc_id
        self.stage = stage


class OverBudget(ExtractionError):
    code = "B310"


class ModelError(BilateralError):
    code = "B350"


class StoreError(BilateralError):
    code = "B400"


class LookupFailed(StoreError):
    """A document reference matched nothing (``found`` 0) or several documents."""

    code = "B410"

    def __init__(self, message: str, *, found: int) -> None:
        super().__init__(message)
        self.found = found


class StoreMissing(StoreError):
    """A store opened only to be read is not there: no such SQLite file, or a database
    without the store's tables."""

    code = "B420"


class EvaluationError(BilateralError):
    code = "B500"


class ReportError(BilateralError):
    code = "B600"


class ForecastError(BilateralError):
    code = "B800"


class ScenarioError(ForecastError):
    """An input to a negotiation model is unusable; the message names the file (or dossier
    issue), the row and the field."""

    code = "B810"


class EngineError(BilateralError):
    """A batch job on an execution engine (Spark) could not start or failed; the message
    names the job, the master and the engine's own reason."""

    code = "B900"


class MissingExtra(BilateralError):
    """A command needs a package of an extra (``bilateral[web]``, ...) that is not installed;
    the message names the install command."""

    code = "B700"

    def __init__(self, extra: str, purpose: str, module: str, reason: str = "") -> None:
        super().__init__(
            f"{purpose} needs the optional part bilateral[{extra}], which is not installed "
            f"(module {module!r}: {reason or 'not found'}). Install it with: "
            f"pip install 'bilateral[{extra}]'")
        self.extra = extra
        self.module = module
