import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.production")
application = get_wsgi_application()
# Load every view module now, when a worker starts, not in its first request: those import
# openpyxl, docx and the charts (1–1.5 s), which a reader of the first page would wait for.
get_resolver().url_patterns  # noqa: B018
