"""Liveness of the web process and of the job workers."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from cortico.db import Worker
from cortico.db.models import utcnow
from cortico.web.errors import error_response
from cortico.web.schemas import WorkerHealthSchema

blp = Blueprint("health", __name__, description="Health checks (no authentication).")

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health")


@blp.route("/health")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200)
    def get(self):
        """The web process is up (200, empty body)."""
        return current_app.response_class(b"", 200, mimetype="text/plain")


def live_workers(app):
    """Number of workers whose heartbeat is recent, within the configured timeout.

    Raises TimeoutError when the database does not answer in time, so a health
    check never hangs (the seed backend's did).
    """
    settings = app.config
    window = timedelta(seconds=max(3 * float(settings["JOB_HEARTBEAT_SECONDS"]) / 2, 5.0))

    def count():
        with app.extensions["cortico.db"].session() as session:
            return session.execute(
                select(func.count()).select_from(Worker).where(Worker.last_seen >= utcnow() - window)
            ).scalar()

    try:
        return _pool.submit(count).result(timeout=float(settings["WORKER_HEALTH_TIMEOUT_SECONDS"]))
    except FutureTimeout:
        raise TimeoutError("the database did not answer in time") from None


@blp.route("/api/v1/workers/health")
class WorkerHealth(MethodView):
    @blp.doc(security=[])
    @blp.response(200, WorkerHealthSchema)
    @blp.alt_response(503, description="No worker answered within the timeout.")
    def get(self):
        """Whether at least one job worker is alive (answers within a timeout)."""
        try:
            workers = live_workers(current_app._get_current_object())
        except Exception as exc:
            return error_response(503, f"Worker status unavailable: {exc}.")
        if not workers:
            return error_response(
                503, "No job worker has reported recently; start one with `cortico worker` (or use `cortico serve`)."
            )
        return {"workers": workers, "message": f"{workers} worker(s) alive"}
