"""``/api/v1/jobs``: submit, poll, list and cancel background jobs."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from cortico.exceptions import InputError
from cortico.jobs import cancel_job, submit_job
from cortico.jobs.kinds.paint import KIND as PAINT_KIND
from cortico.paint import values_to_csv
from cortico.web._jobs_view import get_owned_job, job_as_dict, list_owned_jobs
from cortico.web._paint_jobs import check_request, create_paint_job
from cortico.web.auth import current_user_id, require_token
from cortico.web.errors import error_response
from cortico.web.schemas import JobCreateSchema, JobListArgs, JobSchema

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1/jobs",
    description="Background jobs: every job has an owner; another user's job answers 404.",
)
blp.before_request(require_token)


@blp.route("/")
class Jobs(MethodView):
    @blp.arguments(JobListArgs, location="query", unknown=RAISE)
    @blp.response(200, JobSchema(many=True))
    def get(self, args):
        """List your jobs, newest first."""
        return [job_as_dict(job) for job in list_owned_jobs(current_user_id(), args["limit"])]

    @blp.arguments(JobCreateSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(422, description="Unknown kind or invalid parameters; `errors` lists every problem.")
    def post(self, body):
        """Submit a job of a given kind; poll its `links.self` until `finished`.

        A `paint` job with `values` is checked against this server's painting limits,
        as by `POST /api/v1/paint/jobs`.
        """
        params = body["params"]
        if body["kind"] == PAINT_KIND and "values" in params:
            unknown = sorted(set(params) - {"values", "settings"})
            if unknown:
                raise InputError(
                    f"Unknown paint job parameter(s): {', '.join(unknown)}; expected 'values' and 'settings'."
                )
            checked = check_request(values_to_csv(params["values"]), params.get("settings") or {}, current_user_id())
            job_id = create_paint_job(current_user_id(), checked, "values.csv")
        else:
            job_id = submit_job(current_app.extensions["celery"], current_user_id(), body["kind"], params)
        return job_as_dict(get_owned_job(job_id, current_user_id()))


@blp.route("/<job_id>")
class JobById(MethodView):
    @blp.response(200, JobSchema)
    @blp.alt_response(404, description="No such job for this user.")
    def get(self, job_id):
        """Status, progress, message and result of one of your jobs."""
        return job_as_dict(get_owned_job(job_id, current_user_id()))

    @blp.response(200, JobSchema)
    @blp.alt_response(404, description="No such job for this user.")
    @blp.alt_response(409, description="The job had already finished.")
    def delete(self, job_id):
        """Cancel one of your queued or running jobs."""
        get_owned_job(job_id, current_user_id())
        if not cancel_job(current_app.extensions["celery"], job_id):
            job = get_owned_job(job_id, current_user_id())
            return error_response(409, f"Job {job_id} has already finished ({job.state}); nothing to cancel.")
        return job_as_dict(get_owned_job(job_id, current_user_id()))
