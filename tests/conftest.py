"""Shared fixtures: the real dataset is loaded once per test run into the test database."""

import os

import pytest
from django.core.management import call_command

from tests.browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT

# A helper that asserts, shared by test files: its failures explained as a test file's are.
pytest.register_assert_rewrite("tests.pages_helpers")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the shipped dataset once (which publishes r1; release files are cached in a folder of the test run's
    own); each test then runs in a transaction that is rolled back."""
    from django.conf import settings

    settings.RELEASES_DIR = tmp_path_factory.mktemp("releases")
    with django_db_blocker.unblock():
        call_command("load_dataset", verbosity=0)


@pytest.fixture(autouse=True)
def _no_timed_pruning(settings):
    """Ended allowance counters are deleted every ALLOWANCE_PRUNE_SECONDS of a process's life: in a long test run
    that DELETE would land in whichever test was running, so tests prune only when they ask
    (tests/test_shared_allowances.py)."""
    settings.ALLOWANCE_PRUNE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_read_model():
    """Each test starts without this process's snapshot or throttle counters. A test's writes are rolled back
    afterwards, which moves the data version back: a later test could write the same version number again, so
    the snapshot is dropped rather than trusted across tests. (In production a committed version never returns.)"""
    from django.core.cache import cache

    from common import reading

    reading.forget()
    reading.forget_releases()
    cache.clear()
    yield
    reading.forget()
    reading.forget_releases()
    cache.clear()


@pytest.fixture
def dataset(db):
    """The real dataset (already loaded for the session); ask for it to make the dependency explicit."""
    return None


@pytest.fixture
def releases_dir(settings, tmp_path):
    """A cache folder of this test's own, not yet made: as on a server that has served no release file yet."""
    from common import reading

    own = tmp_path / "releases"
    settings.RELEASES_DIR = own
    reading.forget_releases()
    return own


@pytest.fixture
def live_dataset(transactional_db, live_server):
    """A live server over the real dataset. Transactional tests empty the tables afterwards, so reload."""
    call_command("load_dataset", verbosity=0)
    return live_server


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's, driven by Playwright)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def editor(dataset):
    """A staff member of the Editors group (what the create_editors_group command grants), over the dataset."""
    from django.contrib.auth.models import Group, User

    call_command("create_editors_group", verbosity=0)
    user = User.objects.create_user("edna", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def other_editor_client(editor):
    """A second editor, in a browser of their own, for two people editing at once."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("otto", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture(scope="module")
def _app_sqlite_file(tmp_path_factory):
    from tests import appserver

    return appserver.sqlite_database(tmp_path_factory.mktemp("app-db"))


@pytest.fixture
def app_database_url(request):
    """A DATABASE_URL that real app servers (tests/appserver.py) and the test both reach: on PostgreSQL the test
    database itself, with the dataset loaded (the tests using it are transactional: the servers read what the test
    commits); on SQLite a file database made once per module (the test run's own is in memory)."""
    from django.db import connection

    from tests import appserver

    if connection.vendor == "postgresql":
        from jurisdictions.models import State

        call_command("load_dataset", verbosity=0)
        assert State.objects.filter(postal="RI").exists()
        return appserver.postgres_url(connection.settings_dict)
    return request.getfixturevalue("_app_sqlite_file")
