"""Ingest: read articles from files, folders and JSONL, identify them, and hand them on."""
