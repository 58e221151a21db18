"""Real servers for the fault and backup tests: a demo site in a file or a database, gunicorn,
a private PostgreSQL cluster, and full snapshots of every table.

Everything runs in subprocesses against its own database (never the pytest-django test
database), so that a process can be killed, a server restarted, a file restored.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SEED = Path(__file__).with_name("seed.py")


def report(what: str, figures: dict) -> None:
    """Print the figures of a fault run, and keep them in CHITIEU_FAULTS_LOG (JSON lines) when set."""
    line = json.dumps({"what": what, **figures}, ensure_ascii=False)
    print(f"\n{line}")
    if os.environ.get("CHITIEU_FAULTS_LOG"):
        with open(os.environ["CHITIEU_FAULTS_LOG"], "a", encoding="utf-8") as log:
            log.write(line + "\n")


def on_postgres() -> bool:
    """The PostgreSQL pass of scripts/run-tests.sh (DATABASE_URL names its throwaway server)."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(url: str, media: Path) -> dict[str, str]:
    """The environment of `make demo` (local settings, debug off) on the given database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="web.config.settings.local",
        DJANGO_DEBUG="false",
        DATABASE_URL=url,
        CHITIEU_MEDIA_ROOT=str(media),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(*args: str, url: str, media: Path, timeout: float = 120, check: bool = True):
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=app_env(url, media),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def chitieu(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [str(BIN / "chitieu"), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ------------------------------------------------------------------ the demo site


@dataclass
class Site:
    """A database (URL) and its evidence directory, holding the Kon Rẫy demo."""

    url: str
    media: Path
    facts: dict  # token, plan_id, cells (see seed.py)

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))


@contextmanager
def _locked(path: Path):
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _seed(url: str, media: Path, facts: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SEED), str(facts)],
        env=app_env(url, media),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"seeding the demo failed:\n{done.stderr[-3000:]}")


def sqlite_template(shared: Path) -> Site:
    """The demo in an SQLite file, built once per test run (xdist workers share it)."""
    folder = shared / "faults-sqlite-template"
    with _locked(shared / "faults-sqlite-template.lock"):
        facts = folder / "facts.json"
        if not facts.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            _seed(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media", folder / "facts.partial")
            (folder / "facts.partial").rename(facts)
    return Site(f"sqlite:///{folder / 'db.sqlite3'}", folder / "media", json.loads(facts.read_text()))


def sqlite_site(template: Site, where: Path) -> Site:
    where.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template.sqlite_path, where / "db.sqlite3")
    shutil.copytree(template.media, where / "media")
    return Site(f"sqlite:///{where / 'db.sqlite3'}", where / "media", template.facts)


def pg_admin(server_url: str, *statements: str) -> None:
    import psycopg

    base = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def postgres_template(shared: Path, server_url: str) -> Site:
    """The demo in a PostgreSQL database used as a template (CREATE DATABASE … TEMPLATE)."""
    tag = hashlib.sha1(f"{shared}{server_url}".encode()).hexdigest()[:10]
    name = f"faults_tpl_{tag}"
    folder = shared / f"faults-pg-template-{tag}"
    url = f"{server_url.rsplit('/', 1)[0]}/{name}"
    with _locked(shared / f"faults-pg-template-{tag}.lock"):
        facts = folder / "facts.json"
        if not facts.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            pg_admin(server_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
            _seed(url, folder / "media", folder / "facts.partial")
            (folder / "facts.partial").rename(facts)
    return Site(url, folder / "media", json.loads(facts.read_text()))


def postgres_site(template: Site, where: Path, name: str) -> Site:
    tpl_name = template.url.rsplit("/", 1)[1]
    pg_admin(template.url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {tpl_name}")
    where.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template.media, where / "media")
    return Site(f"{template.url.rsplit('/', 1)[0]}/{name}", where / "media", template.facts)


# ------------------------------------------------------------------ snapshots

# Written on purpose outside the transaction under test: the token's "last used" time is
# updated when the request is authenticated, before the upload starts.
TOKEN_USE = {("api_apitoken", "last_used_at")}


def _plain(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def snapshot(url: str, ignore: set[tuple[str, str]] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, with the ignored (table, column) values blanked."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        quote = '"{}"'.format
    else:
        import psycopg

        connection = psycopg.connect(url)
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        quote = '"{}"'.format
    try:
        result = {}
        for table in sorted(tables):
            cursor = connection.execute(f"SELECT * FROM {quote(table)}")
            columns = [d[0] for d in cursor.description]
            blank = {i for i, c in enumerate(columns) if (table, c) in ignore}
            rows = [
                tuple(None if i in blank else _plain(v) for i, v in enumerate(row))
                for row in cursor.fetchall()
            ]
            result[table] = sorted(rows, key=repr)
        return result
    finally:
        connection.close()


def pg_sequences(url: str) -> dict[str, tuple]:
    import psycopg

    with psycopg.connect(url) as connection:
        names = [
            r[0]
            for r in connection.execute("SELECT sequencename FROM pg_sequences WHERE schemaname='public'")
        ]
        return {n: connection.execute(f'SELECT last_value, is_called FROM "{n}"').fetchone() for n in names}


def differences(before: dict, after: dict) -> list[str]:
    """Readable differences between two snapshots (empty when equal)."""
    found = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table), after.get(table)
        if old == new:
            continue
        if old is None or new is None:
            found.append(f"{table}: table {'added' if old is None else 'removed'}")
            continue
        gone = [r for r in old if r not in new]
        added = [r for r in new if r not in old]
        found.append(f"{table}: {len(old)} → {len(new)} rows; gone {gone[:2]}; added {added[:2]}")
    return found


def media_state(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ------------------------------------------------------------------ gunicorn


def http(
    method: str,
    url: str,
    *,
    token: str = "",
    cookie: str = "",
    body: bytes | None = None,
    content_type: str = "",
    timeout: float = 30,
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Gunicorn:
    """The app served by gunicorn on loopback, as in production (sync workers)."""

    def __init__(
        self, site: Site, log: Path, workers: int = 1, timeout: int = 60, env: dict[str, str] | None = None
    ):
        self.site, self.log, self.port = site, log, free_port()
        self.env = env or {}  # over app_env's (the cluster test: other settings, Redis)
        self.base = f"http://127.0.0.1:{self.port}"
        self.command = [
            str(BIN / "gunicorn"),
            "web.config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            f"--timeout={timeout}",
            "--graceful-timeout=2",
        ]
        self.process: subprocess.Popen | None = None

    def start(self, wait: float = 60, healthy: bool = True) -> Gunicorn:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            env={**app_env(self.site.url, self.site.media), **self.env},
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        self.wait_ready(wait, healthy)
        return self

    def wait_ready(self, wait: float = 60, healthy: bool = True) -> int:
        """Until /healthz answers (200, unless ``healthy`` is False); its status."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                status = http("GET", f"{self.base}/healthz", timeout=5)[0]
                if status == 200 or not healthy:
                    return status
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer in {wait} s:\n{self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def api(self, method: str, path: str, body=None, content_type="application/json", timeout: float = 60):
        data = json.dumps(body).encode() if isinstance(body, dict | list) else body
        return http(
            method,
            f"{self.base}/api{path}",
            token=self.site.facts["token"],
            body=data,
            content_type=content_type if data is not None else "",
            timeout=timeout,
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


# ------------------------------------------------------------------ a private PostgreSQL


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return found[0] if found else None


def cluster_unavailable() -> str | None:
    """Why a private cluster cannot be started here, or None."""
    if pg_bin() is None:
        return "PostgreSQL server binaries not installed (make system-deps installs them)"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "a private PostgreSQL runs as postgres through runuser: needs root (as scripts/run-tests.sh)"
    return None


class Cluster:
    """A throwaway PostgreSQL on loopback that a test may restart or stop (as scripts/run-tests.sh)."""

    def __init__(self):
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="chitieu-faults-pg-"))
        shutil.chown(self.root, "postgres")
        self.port = free_port()
        self.data = self.root / "data"

    def _pg(self, *args: str, timeout: float = 60) -> None:
        # Output to a file, not a pipe: a server started by pg_ctl keeps its output open.
        with (self.root / "pg_ctl.out").open("ab") as out:
            subprocess.run(
                ["runuser", "-u", "postgres", "--", *args],
                check=True,
                stdout=out,
                stderr=out,
                timeout=timeout,
            )

    def init(self) -> Cluster:
        self._pg(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.start()
        return self

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c max_connections=50"
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

    def stop(self, mode: str = "fast") -> None:
        self._pg(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "immediate") -> None:
        self._pg(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-m",
            mode,
            "-w",
            "restart",
        )

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        with suppress(subprocess.SubprocessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
