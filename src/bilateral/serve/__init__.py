"""Serve: the REST API and the web dashboard over a store, for one person or a team.

    from bilateral.serve import ServeSettings, create_app
    app = create_app(ServeSettings(db="postgresql://team@db/bilateral"))

Needs the ``web`` extra (``pip install 'bilateral[web]'``); without it, importing this package
raises MissingExtra with that command.
"""

from bilateral.extras import require

require("web", "The web server (bilateral.serve)")

from bilateral.serve.app import create_app  # noqa: E402
from bilateral.serve.settings import ServeSettings  # noqa: E402

__all__ = ["ServeSettings", "create_app"]
