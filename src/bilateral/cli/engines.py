"""Commands that run a stage on an execution engine: ``spark ingest`` (the ``bilateral[spark]``
extra) ingests a corpus on Apache Spark, locally or on a cluster."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bilateral.cli.shared import (
    EXIT_OK,
    EXIT_PARTIAL,
    DossierOption,
    JsonOption,
    _Group,
    app,
    keep_answers,
    out,
    print_ingest,
)

spark_app = typer.Typer(cls=_Group, no_args_is_help=True,
                        help="Batch jobs on Apache Spark (pip install 'bilateral[spark]').\n\n"
                             "Example: bilateral spark ingest corpus/ --out dataset/")
app.add_typer(spark_app, name="spark")


@spark_app.command("ingest")
def spark_ingest(
    inputs: Annotated[list[str], typer.Argument(
        metavar="INPUT", help="Files or folders (.txt .md .html .jsonl): local paths or "
                                 "Hadoop URIs (file://, hdfs://, s3a://).")],
    out_path: Annotated[str, typer.Option(
        "--out", "-o", metavar="PATH",
        help="Folder (local or Hadoop URI) for the Parquet datasets documents/, "
             "observations/ and events/; they are replaced.")],
    master: Annotated[str | None, typer.Option(
        metavar="URL", help="Spark master: local[N], spark://host:7077, yarn, k8s://...; "
                            "default the one spark-submit set, else local[2].")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", metavar="URL",
        help="Also load into this store: sqlite:///file.db or postgresql://...")] = None,
    dossier: DossierOption = "us-japan",
    partitions: Annotated[int | None, typer.Option(
        min=1, metavar="N", help="Extraction tasks; default twice the cores.")] = None,
    max_bytes: Annotated[int, typer.Option(
        min=1, metavar="BYTES", help="Largest article accepted.")] = 5_000_000,
    as_json: JsonOption = False,
) -> None:
    """Ingest a corpus on Spark: the documents, observations, events and duplicate links of
    'bilateral ingest', as Parquet partitioned by publication month and, with --db, in the
    store.

    Example: bilateral spark ingest corpus/ --out dataset/ --master local[4] --db sqlite:///news.db
    """
    from bilateral.extras import require

    require("spark", "bilateral spark ingest")
    from bilateral.engines.spark import spark_ingest as run

    result = run(inputs, out_path, dossier=dossier, master=master, db=db,
                 partitions=partitions, max_bytes=max_bytes)
    if db is not None:
        from bilateral.dossier import load_dossier
        from bilateral.store import open_store

        with open_store(db) as store:
            keep_answers(store, load_dossier(dossier))
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print_ingest(result, None)
        for table, where in result.datasets.items():
            out.print(f"{table}: {where}")
    raise typer.Exit(EXIT_PARTIAL if result.failed else EXIT_OK)
