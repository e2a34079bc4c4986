"""Execution back ends that run a stage on many machines: ``spark`` (Apache Spark, the
``bilateral[spark]`` extra) ingests a corpus on a cluster into Parquet datasets and the store,
with the same documents, records and duplicate links as ``bilateral ingest``.

Nothing here is imported by the core: each engine imports its extra after
``bilateral.extras.require``.
"""
