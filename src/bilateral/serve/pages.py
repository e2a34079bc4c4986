"""The dashboard: server-rendered pages over the same snapshot the API answers from."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from bilateral.report.html import vega_bundle

STATIC = Path(__file__).with_name("static")

router = APIRouter(include_in_schema=False)


@router.get("/static/vega.js")
def vega_script() -> Response:
    """The chart libraries, served by the application itself: nothing comes from a CDN."""
    return Response(vega_bundle(), media_type="text/javascript",
                    headers={"cache-control": "public, max-age=86400"})


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)
