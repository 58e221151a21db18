"""Serve the chart library (plotly.js's basic bundle) through staticfiles.

No CDN (offices often have poor connections, and figures must not leave the network), and no
hand-copied JavaScript in the repository: `make vendor-js` (scripts/vendor_js.py) fetches the pinned
npm package, checked against the registry's checksum, into ``CHITIEU_VENDOR_DIR``. The basic bundle
(scatter, bar, pie) is a quarter of the full one: 1.2 MB, about 390 kB compressed.
Templates use ``{% static "plotly/plotly.min.js" %}``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_PACKAGE = "plotly.js-basic-dist-min"
PLOTLY_FILE = "plotly-basic.min.js"
SERVED_AS = "plotly.min.js"
PREFIX = "plotly"


def plotly_path() -> Path:
    return Path(settings.CHITIEU_VENDOR_DIR) / PLOTLY_PACKAGE / PLOTLY_FILE


class _Storage(FileSystemStorage):
    """The vendored file under the name templates ask for."""

    def path(self, name: str) -> str:
        return str(plotly_path()) if name == SERVED_AS else super().path(name)


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.storage = _Storage(location=str(plotly_path().parent))
        self.storage.prefix = PREFIX  # collectstatic writes it to STATIC_ROOT/plotly/

    def check(self, **kwargs):
        if not plotly_path().is_file():
            return [Error(f"{plotly_path()} is missing: run `make vendor-js`", id="dashboards.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == f"{PREFIX}/{SERVED_AS}" and plotly_path().is_file():
            found = str(plotly_path())
            return [found] if find_all else found
        return [] if find_all else None

    def list(self, ignore_patterns):
        if plotly_path().is_file():
            yield SERVED_AS, self.storage
