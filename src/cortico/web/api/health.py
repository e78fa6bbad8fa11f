"""Liveness of the web process and of the job workers."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import func, select

from cortico.db import Job, JobState, Worker
from cortico.db.models import utcnow
from cortico.jobs._broker import broker_status
from cortico.jobs._dispatch import worker_alive_window
from cortico.web.errors import error_response
from cortico.web.schemas import WorkerHealthSchema

blp = Blueprint("health", __name__, description="Health checks (no authentication).")

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")


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
    return job_service_state(app)["workers"]


def job_service_state(app):
    """Workers alive, the broker's state and the first problem that stops jobs from running.

    A problem is: no live worker, a broker that cannot be reached, or a job queued
    for ``WORKER_PICKUP_SECONDS`` while a live worker had a free slot all along
    (a worker that beats but takes no work). Raises TimeoutError when the
    database or the broker does not answer within ``WORKER_HEALTH_TIMEOUT_SECONDS``.
    """
    settings = app.config
    timeout = float(settings["WORKER_HEALTH_TIMEOUT_SECONDS"])
    broker = _pool.submit(broker_status, settings)
    workers = _pool.submit(_workers_and_stuck_job, app)
    try:
        state = workers.result(timeout=timeout)
        state["broker"] = broker.result(timeout=timeout)
    except FutureTimeout:
        raise TimeoutError("the database or the broker did not answer in time") from None
    state["problem"] = _first_problem(state, settings)
    return state


def _workers_and_stuck_job(app):
    settings = app.config
    now = utcnow()
    window = timedelta(seconds=worker_alive_window(settings))
    pickup = timedelta(seconds=float(settings["WORKER_PICKUP_SECONDS"]))
    with app.extensions["cortico.db"].session() as session:
        rows = session.execute(select(Worker.hostname, Worker.info).where(Worker.last_seen >= now - window)).all()
        oldest_queued = session.execute(
            select(func.min(Job.updated_at)).where(Job.state == JobState.QUEUED.value)
        ).scalar()
    idle = []
    for hostname, info in rows:
        free_since = (info or {}).get("free_since")
        if free_since and datetime.fromisoformat(free_since) <= now - pickup:
            idle.append(hostname)
    stuck = None
    if oldest_queued is not None and oldest_queued <= now - pickup and idle:
        stuck = {"waited_seconds": round((now - oldest_queued).total_seconds()), "idle_workers": idle}
    return {"workers": len(rows), "stuck": stuck}


def _first_problem(state, settings):
    broker = state["broker"]
    if not broker["reachable"]:
        return f"The job queue is unreachable ({broker['problem']}); submissions fail until it is back."
    if not state["workers"]:
        return "No worker has reported recently; start one with `cortico worker` (or use `cortico serve`)."
    stuck = state["stuck"]
    if stuck:
        return (
            f"A queued job has waited {stuck['waited_seconds']} s while worker(s) {', '.join(stuck['idle_workers'])} "
            f"had a free slot for over {settings['WORKER_PICKUP_SECONDS']} s: the worker takes no work; restart it."
        )
    return None


@blp.route("/api/v1/workers/health")
class WorkerHealth(MethodView):
    @blp.doc(security=[])
    @blp.response(200, WorkerHealthSchema)
    @blp.alt_response(
        503,
        description="No worker alive, the job queue unreachable, or a worker that takes no work; "
        "answers within `WORKER_HEALTH_TIMEOUT_SECONDS`.",
    )
    def get(self):
        """Whether jobs can run: a live worker, a reachable queue, queued jobs being picked up."""
        try:
            state = job_service_state(current_app._get_current_object())
        except Exception as exc:
            return error_response(503, f"Worker status unavailable: {exc}.")
        if state["problem"]:
            return error_response(503, state["problem"])
        broker = state["broker"]
        return {
            "workers": state["workers"],
            "broker": broker["broker"],
            "waiting_messages": broker["waiting_messages"],
            "message": f"{state['workers']} worker(s) alive; {broker['broker']} job queue reachable",
        }
