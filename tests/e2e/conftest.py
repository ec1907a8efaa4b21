"""Browser journeys: pytest-playwright driving Debian's Chromium against the live server.

Never a downloaded browser: the executable is /usr/bin/chromium (apt-get install chromium).
"""

import importlib
import io
import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are
# still synchronous and safe here (only in the browser-test process).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


@pytest.fixture
def demo_city(transactional_db, settings):
    """The sample network and demo users, as `make run` creates them.

    Live-server tests run in committed transactions and the database is flushed after each,
    which also empties the code lists that migrations seed. serialized_rollback cannot restore
    them here: Playwright's event loop gives the test a different connection object than the
    one that was serialized. So the seed migration's own function restores them.
    """
    for name in (
        "takatsuki_welfare.migrations.0002_seed_code_lists",
        "takatsuki_welfare.migrations.0004_seed_complex_needs_and_household_types",
        "cases.migrations.0005_seed_meeting_types",
    ):
        importlib.import_module(name).seed(django_apps, None)
    call_command("load_network", "hubs/networks/takatsuki.csv", stdout=io.StringIO())
    call_command("seed_demo", "--force", stdout=io.StringIO())


@pytest.fixture
def sign_in(page, live_server):
    from hubs.demo import DEMO_PASSWORD

    def sign_in_as(username, password=DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("ユーザー名").fill(username)
        page.get_by_label("パスワード").fill(password)
        page.get_by_role("button", name="ログイン").click()
        return page

    return sign_in_as
