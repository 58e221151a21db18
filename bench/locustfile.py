"""Locust users for the national benchmark: logged-in people opening dashboards.

Run by bench_national with CHITIEU_BENCH_PAGES (JSON name → path) and
CHITIEU_BENCH_SESSIONS (session cookies of a coordinator and a viewer, comma-separated):
the login itself is not what is measured, and 50 logins from one address would
meet the login throttle.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PAGES = json.loads(os.environ.get("CHITIEU_BENCH_PAGES", "{}"))
SESSIONS = [s for s in os.environ.get("CHITIEU_BENCH_SESSIONS", "").split(",") if s]
# The app servers (CHITIEU_BENCH_HOSTS, comma-separated bases): the users are shared out among them,
# each keeping to its own, as a load balancer with affinity would; none given: locust's --host. A user
# sending each request to a server at random left its connection to the other idle for several
# pauses, until gunicorn's keep-alive closed it just as the user sent on it: a "connection reset"
# (1 of 1,429 requests, session 13). A browser holds one connection, to the balancer.
HOSTS = [h for h in os.environ.get("CHITIEU_BENCH_HOSTS", "").split(",") if h]
_started = itertools.count()
# A page that takes longer than this counts as an error rather than silently holding a user.
TIMEOUT = float(os.environ.get("CHITIEU_BENCH_LOCUST_TIMEOUT", "30"))


class DashboardReader(HttpUser):
    wait_time = between(1, 3)  # a person reads the page before opening the next

    def on_start(self):
        self.base = HOSTS[next(_started) % len(HOSTS)] if HOSTS else ""
        if SESSIONS:
            self.client.cookies.set("sessionid", random.choice(SESSIONS))

    @task
    def dashboard(self):
        name, path = random.choice(list(PAGES.items()))
        url = self.base + path
        with self.client.get(url, name=name, catch_response=True, timeout=TIMEOUT) as response:
            if response.status_code != 200 or "login" in response.url:
                response.failure(f"HTTP {response.status_code}: {response.error or response.url}")
