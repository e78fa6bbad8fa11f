"""gunicorn's threaded worker with a deadline for reading a request's headers.

gunicorn's ``gthread`` worker hands a connection to a thread as soon as it sends
a byte; a client that then trickles its headers holds that thread for as long as
it likes, and a handful of such clients took every thread (``/health`` timed
out). Here a connection must deliver its request line and headers within
``CORTICO_WEB_HEADER_TIMEOUT_SECONDS`` (default 10 s) or its socket is shut down,
which frees the thread. Used by ``cortico serve``
(``-k cortico.cli._web_worker.HeaderDeadlineWorker``).
"""

import os
import socket
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

__all__ = ["HeaderDeadlineWorker", "HEADER_TIMEOUT_ENV"]

HEADER_TIMEOUT_ENV = "CORTICO_WEB_HEADER_TIMEOUT_SECONDS"


class HeaderDeadlineWorker(ThreadWorker):
    """``gthread`` plus a per-request deadline on the request line and headers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_timeout = float(os.environ.get(HEADER_TIMEOUT_ENV) or 10.0)
        self._deadlines = {}
        self._deadlines_lock = threading.Lock()

    def init_process(self):
        threading.Thread(target=self._reap_slow_clients, name="header-deadline", daemon=True).start()
        super().init_process()

    def handle(self, conn):
        with self._deadlines_lock:
            self._deadlines[conn] = time.monotonic() + self.header_timeout
        try:
            return super().handle(conn)
        finally:
            self._headers_read(conn)

    def handle_request(self, req, conn):
        self._headers_read(conn)
        return super().handle_request(req, conn)

    def handle_http2(self, conn):
        self._headers_read(conn)
        return super().handle_http2(conn)

    def _headers_read(self, conn):
        with self._deadlines_lock:
            self._deadlines.pop(conn, None)

    def _reap_slow_clients(self):
        while True:
            time.sleep(min(1.0, self.header_timeout / 4))
            now = time.monotonic()
            with self._deadlines_lock:
                late = [conn for conn, deadline in self._deadlines.items() if deadline < now]
                for conn in late:
                    del self._deadlines[conn]
            for conn in late:
                self.log.info("closing a connection that sent no complete headers within %s s", self.header_timeout)
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
