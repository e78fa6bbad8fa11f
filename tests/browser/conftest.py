"""Shared fixtures of the browser tests: a live server with a real worker."""

import threading

import pytest

from tests.conftest import REPO, make_app

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def live_app(instance, start_worker):
    """The app served by werkzeug on a free port, with one real worker (one rendering process)."""
    from werkzeug.serving import make_server

    app = make_app(instance, PAINT_PROCESSES=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    start_worker(app, concurrency=1)
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    app.extensions["cortico.db"].dispose()
