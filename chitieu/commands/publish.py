"""``chitieu publish PLAN_ID DIR``: the public page of a published plan as static files.

The plan lives in the web app's database, which the core does not read (it never
imports Django), so this door hands the work to the web app's own command,
``manage.py publish``, in a child process with the same Python: one writer of the
static site, reachable under the name the issue and the README give it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from argparse import Namespace

EXIT_OK, EXIT_BAD_INPUT = 0, 1
DEFAULT_SETTINGS = "web.config.settings.local"  # manage.py's default too


def command_line(args: Namespace) -> list[str]:
    line = [sys.executable, "-m", "django", "publish", str(args.plan_id), args.dir]
    settings = args.settings or os.environ.get("DJANGO_SETTINGS_MODULE") or DEFAULT_SETTINGS
    return [*line, f"--settings={settings}"]


def run(args: Namespace) -> int:
    try:
        done = subprocess.run(command_line(args), check=False)
    except OSError as error:
        print(f"không chạy được lệnh công bố: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK if done.returncode == 0 else EXIT_BAD_INPUT
