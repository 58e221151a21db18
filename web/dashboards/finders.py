"""Serve plotly.min.js from the installed plotly package through staticfiles.

No CDN (offices often have poor connections, and figures must not leave the
network), and no hand-copied JavaScript in the repository: the file comes from
the pinned PyPI package, so upgrading plotly upgrades the chart library.
Templates use ``{% static "plotly/plotly.min.js" %}``.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_JS = "plotly.min.js"
PREFIX = "plotly"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX  # collectstatic writes it to STATIC_ROOT/plotly/

    def check(self, **kwargs):
        if not (PLOTLY_DIR / PLOTLY_JS).is_file():
            return [Error(f"{PLOTLY_DIR / PLOTLY_JS} is missing: reinstall plotly", id="dashboards.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == f"{PREFIX}/{PLOTLY_JS}" and (PLOTLY_DIR / PLOTLY_JS).is_file():
            found = str(PLOTLY_DIR / PLOTLY_JS)
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield PLOTLY_JS, self.storage
