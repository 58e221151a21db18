"""chitieu: read, monitor and report a local gender-equality plan.

The core library is plain Python and never imports Django, so the CLI, the web
app, the API and the reports all ask the same functions.
"""

__version__ = "0.1.0"
