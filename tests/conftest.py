"""Shared fixtures: the real dataset is loaded once per test run into the test database."""

import os

import pytest
from django.core.management import call_command

from tests.browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped dataset once; each test then runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        call_command("load_dataset", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_response_cache(settings):
    """Each test starts with no stored answers, so the query counts it pins are those of a first request; and a
    test that clears the cache sees it cleared at once in this process (no per-process grace period)."""
    from django.core.cache import cache

    settings.CACHE_GENERATION_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dataset(db):
    """The real dataset (already loaded for the session); ask for it to make the dependency explicit."""
    return None


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
