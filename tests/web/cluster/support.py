"""A cluster for a test: its own PostgreSQL, Redis and gunicorns in a fresh temporary folder.

Built on tests.web.faults.support (the throwaway PostgreSQL, the demo seed, gunicorn); adds Redis
and the settings of web.config.settings.cluster. ``running_cluster`` stops everything however the
test ends.
"""

from __future__ import annotations

import html.parser
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from tests.web.faults import support
from tests.web.faults.support import Cluster, Gunicorn, Site

PASSWORD = "ChiTieu@2024"  # the demo's accounts (web.home.demo)


def unavailable() -> str | None:
    """Why a cluster cannot start here, or None."""
    if shutil.which("redis-server") is None:
        return "redis-server not installed (make system-deps installs it)"
    return support.cluster_unavailable()


class FastCluster(Cluster):
    """The throwaway PostgreSQL without waiting for the disk: the demo's migrations and load are
    most of this test's time, and a crash of this server loses nothing anyone keeps."""

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c max_connections=50"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            options,
            "start",
        )


class Redis:
    """redis-server on a free loopback port, no disk."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, support.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.folder.mkdir(parents=True, exist_ok=True)
        server = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
        disk = ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(
            [*server, *disk, "--logfile", str(self.folder / "redis.log")],
            start_new_session=True,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError("redis-server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def cluster_env(redis_url: str) -> dict[str, str]:
    """web.config.settings.cluster on plain-HTTP loopback (as `make cluster` writes var/cluster/env)."""
    return {
        "DJANGO_SETTINGS_MODULE": "web.config.settings.cluster",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "CHITIEU_COOKIES_SECURE": "false",
        "CHITIEU_REDIS_URL": redis_url,
    }


@dataclass
class Running:
    site: Site
    redis: Redis
    servers: list[Gunicorn]
    env: dict[str, str]
    folder: Path
    stack: ExitStack = field(repr=False)


@contextmanager
def running_cluster(servers: int = 2):
    """PostgreSQL with the seeded demo, Redis and ``servers`` gunicorns sharing one media folder."""
    folder = Path(tempfile.mkdtemp(prefix=f"chitieu-cluster-{uuid.uuid4().hex[:8]}-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, True)
        postgres = FastCluster().init()
        stack.callback(postgres.close)
        url = postgres.url("chitieu")
        support.pg_admin(url, "CREATE DATABASE chitieu")
        media = folder / "media"
        support._seed(url, media, folder / "facts.json")
        site = Site(url, media, json.loads((folder / "facts.json").read_text()))
        redis = Redis(folder / "redis").start()
        stack.callback(redis.stop)
        env = cluster_env(redis.url)
        # Production's static files (hashed names, a manifest) collected for this cluster: a clean
        # clone has none (the admin's and the API docs' files are not needed here).
        env["CHITIEU_STATIC_ROOT"] = str(folder / "static")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", "-i", "admin", "-i", "ninja"],
            env={**support.app_env(url, media), **env},
            cwd=support.ROOT,
            check=True,
        )
        started = []
        for n in range(servers):
            server = Gunicorn(site, folder / f"app{n}.log", workers=1, env=env)
            stack.callback(server.stop)
            started.append(server.start())
        yield Running(site, redis, started, env, folder, stack)


# ------------------------------------------------------------------ a browser's requests, by hand


class _Inputs(html.parser.HTMLParser):
    """The named fields of one form (by id): inputs with their values, checked boxes, textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif self.inside and tag in ("input", "textarea") and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or (kind == "checkbox" and "checked" not in a):
                return
            self.fields.append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(page: str, form_id: str) -> list[tuple[str, str]]:
    parser = _Inputs(form_id)
    parser.feed(page)
    return parser.fields


class Browser:
    """Cookies and CSRF against one server, as a person's browser would send them."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(f"{self.base}{path}", timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=body,
            headers={"Content-Type": content_type, "Referer": f"{self.base}{path}"},
        )
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()

    def login(self, username: str) -> Browser:
        page = self.get("/login/")[1].decode()
        token = csrf(page)
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        self.post("/login/", form.encode(), "application/x-www-form-urlencoded")
        assert self.get("/")[0] == 200
        return self


def csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
