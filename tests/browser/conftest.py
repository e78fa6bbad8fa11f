"""Shared fixtures of the browser tests: a live server (with or without a real worker) and Chromium."""

import threading

import pytest

from tests.conftest import REPO, make_app

ARTIFACTS = REPO / "test-artifacts"

# Debian's Chromium, headless, with nothing that phones home on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    return server


@pytest.fixture
def live_server(instance):
    """The app served by werkzeug on a free port, without a worker (pages that start no job)."""
    app = make_app(instance)
    server = _serve(app)
    yield app
    server.shutdown()
    app.extensions["cortico.db"].dispose()


@pytest.fixture
def live_app(instance, start_worker):
    """The app served by werkzeug on a free port, with one real worker (one rendering process)."""
    app = make_app(instance, PAINT_PROCESSES=1)
    server = _serve(app)
    start_worker(app, concurrency=1)
    yield app
    server.shutdown()
    app.extensions["cortico.db"].dispose()


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()
