"""Web tests: Django is configured here, not for the whole suite, so tests/core never needs it."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright next to live_server

import django

django.setup()

import pytest  # noqa: E402

from chitieu.approval import Role  # noqa: E402
from tests.web.once import DATABASE_FIXTURES, DemoCopies, module_shares, read_again, rolled_back  # noqa: E402

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by make system-deps
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process: Playwright's sync API allows one running instance per process,
    so every browser test shares this one (a second sync_playwright() in the same worker fails)."""
    import shutil
    from pathlib import Path

    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("chromium is installed by make system-deps")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def district(db):
    from web.orgs.services import kon_ray_units_ensure

    return kon_ray_units_ensure()


@pytest.fixture
def make_user(db):
    from web.accounts.services import user_ensure

    def make(username: str, role: Role, unit=None, password: str = "mat-khau-2024"):
        return user_ensure(username=username, password=password, role=role, org_unit=unit)[0]

    return make


def _kon_ray_build(district) -> tuple:
    from web.home.demo import demo_accounts, demo_plan

    accounts = {a.username: u for a, u, _ in demo_accounts(district)}
    version = demo_plan(coordinator=accounts["dieuphoi"], district=district)
    return version, accounts


@pytest.fixture(scope="module")
def _kon_ray_once(request, django_db_setup, django_db_blocker):
    """The Kon Rẫy plan built once per module (2 s a test otherwise), rolled back after the module;
    each test's changes are rolled back after the test (tests/web/once.py). None in a module where
    some database test does not ask for it (it would find the plan there, or the test may not run in
    a transaction): there every test builds its own, as before."""
    if not module_shares(request, "kon_ray"):
        yield None
        return
    from web.orgs.services import kon_ray_units_ensure

    with rolled_back(django_db_blocker):
        yield _kon_ray_build(kon_ray_units_ensure())


@pytest.fixture
def kon_ray(_kon_ray_once, district):
    """The Kon Rẫy plan in force, with the demo's coordinator and its assignments."""
    if _kon_ray_once is None:
        return _kon_ray_build(district)
    return read_again(_kon_ray_once)  # read again: no attribute a previous test changed


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts and ends with an empty cache: no evaluation leaks between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Marks of tests that start databases of their own (a PostgreSQL server, a cluster): they choose their pass.
OWN_DATABASES = ("postgres", "faults", "cluster")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the mark must be there when it is read
def pytest_collection_modifyitems(items):
    """A test that reaches no database cannot give another answer on PostgreSQL: it is marked
    ``any_database``, and scripts/run-tests.sh runs it in the SQLite pass only. The rule is read
    from what each test asks for, so a test that later takes ``db`` goes back to both passes; and
    pytest-django refuses a query from a test without a database fixture, so none slips through."""
    here = Path(__file__).parent
    for item in items:
        if not item.path.is_relative_to(here) or item.get_closest_marker("django_db") is not None:
            continue
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            continue
        if any(item.get_closest_marker(name) for name in OWN_DATABASES):
            continue
        item.add_marker(pytest.mark.any_database)


@pytest.fixture(scope="session")
def demo_copies(tmp_path_factory, worker_id):
    """The demo per ``reform``, built once per run and copied into the test databases (once.py)."""
    base = tmp_path_factory.getbasetemp()
    copies = DemoCopies(base.parent if worker_id != "master" else base)  # the parent: shared by the workers
    yield copies
    copies.close()


@pytest.fixture
def demo_site(demo_copies):
    """``load_demo`` for the tests that run a live server (``transactional_db``) on SQLite: copied into
    the test database from the run's one build (DemoCopies), in milliseconds instead of 15-20 s.
    Anywhere else (inside a test's transaction, on PostgreSQL) it is simply ``load_demo``. The demo
    itself is checked in tests/web/test_demo.py, which always builds it."""
    from django.db import connection

    from web.home.demo import load_demo

    def load(*, reform: bool = True) -> dict:
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return load_demo(reform=reform)
        return demo_copies.load(reform)

    return load


PASSWORD = "ChiTieu@2024"  # the demo accounts' password


@pytest.fixture
def login(browser, live_server, kon_ray):
    """Log in through the login page in a fresh Chromium context; the demo accounts of Kon Rẫy."""
    contexts = []

    def login_as(username: str):
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield login_as
    for context in contexts:
        context.close()
