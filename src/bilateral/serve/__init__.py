"""Serve: the REST API and the web dashboard over a store, for one person or a team.

    from bilateral.serve import ServeSettings, create_app
    app = create_app(ServeSettings(db="postgresql://team@db/bilateral"))
"""

from bilateral.serve.app import create_app
from bilateral.serve.settings import ServeSettings

__all__ = ["ServeSettings", "create_app"]
