"""The API's interactive documentation at /api/docs: Swagger UI over /api/openapi.json, served
by the application itself, so that it works offline and under the security headers.

The files in ``static/swagger-ui/`` are those of the npm package swagger-ui-dist, unchanged (its
version is in their package.json, its licence in LICENSE, NOTICE and the bundle's
LICENSE.txt). To update them::

    npm pack swagger-ui-dist@VERSION && tar -xzf swagger-ui-dist-VERSION.tgz
    cp package/{swagger-ui-bundle.js,swagger-ui-bundle.js.LICENSE.txt,swagger-ui.css} \\
       package/{LICENSE,NOTICE,package.json} src/bilateral/serve/static/swagger-ui/

The page has no inline script: ``static/api-docs.js`` starts Swagger UI, with the validator
badge (an image Swagger UI would fetch from its makers' site) turned off. Reads need no token,
so the page and every GET work for anyone who can reach the server; to try the POST, a user
pastes a token into "Authorize", and Swagger UI keeps it in the page's memory only, never in
the browser's storage.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

router = APIRouter(include_in_schema=False)

#: Where the page is; the dashboard and the README point here.
DOCS_PATH = "/api/docs"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
</head>
<body>
<noscript>This page needs JavaScript. The API's OpenAPI document is at
<a href="{openapi}">{openapi}</a>.</noscript>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get(DOCS_PATH, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The documentation page; the OpenAPI document it reads is the application's own."""
    app = request.app
    return HTMLResponse(_PAGE.format(title=escape(app.title), openapi=escape(app.openapi_url)))

