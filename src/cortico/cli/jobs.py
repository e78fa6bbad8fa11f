"""``cortico jobs``: the operator's view of the job queue (list, requeue, fail)."""

import click
from sqlalchemy import select

from cortico.settings import load_settings

__all__ = ["jobs"]

_STATES = ["queued", "running", "succeeded", "failed", "cancelled"]


def _celery(instance):
    from cortico.jobs import make_celery

    return make_celery(load_settings(instance))


@click.group()
@click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder (default: $INSTANCE_PATH or ~/.local/share/cortico).",
)
@click.pass_context
def jobs(ctx, instance):
    """Inspect and repair jobs: list them, send one again, or fail it."""
    ctx.obj = {"instance": instance}


@jobs.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(_STATES),
    help="Only jobs in this state (repeatable; default: queued and running).",
)
@click.option("--limit", default=100, show_default=True, type=int, help="At most this many jobs, oldest first.")
@click.pass_obj
def list_jobs(obj, states, limit):
    """List jobs: id, kind, state, attempts, worker, last change, owner, message."""
    from cortico.db import Job, User

    app = _celery(obj["instance"])
    states = list(states) or ["queued", "running"]
    with app.cortico.db.session() as session:
        rows = session.execute(
            select(Job, User.name)
            .join(User, User.id == Job.owner_id)
            .where(Job.state.in_(states))
            .order_by(Job.created_at)
            .limit(limit)
        ).all()
    if not rows:
        click.echo(f"No {' or '.join(states)} jobs.")
        return
    for job, owner in rows:
        message = job.error if job.state == "failed" else job.progress_message
        changed = job.updated_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{job.id}  {job.kind:<12} {job.state:<9} attempts={job.attempts} worker={job.worker or '-'} "
            f"changed={changed}Z owner={owner}  {(message or '').splitlines()[0] if message else ''}"
        )


@jobs.command()
@click.argument("job_ids", nargs=-1, required=True)
@click.pass_obj
def requeue(obj, job_ids):
    """Send queued or running jobs again under a new dispatch id.

    A running copy notices within a second that it is no longer the job's dispatch
    and stops; the attempt count is not reset.
    """
    from cortico.exceptions import NotFoundError
    from cortico.jobs._dispatch import requeue_job

    app = _celery(obj["instance"])
    failed = False
    for job_id in job_ids:
        try:
            done = requeue_job(app, job_id)
        except NotFoundError as exc:
            click.echo(exc.message, err=True)
            failed = True
            continue
        click.echo(f"{job_id}: " + ("queued again" if done else "already finished; not queued"))
    if failed:
        raise SystemExit(1)


@jobs.command()
@click.argument("job_ids", nargs=-1, required=True)
@click.option(
    "--reason",
    default="Stopped by the server's operator.",
    show_default=True,
    help="The error the job's owner sees.",
)
@click.pass_obj
def fail(obj, job_ids, reason):
    """Mark queued or running jobs failed (a running one stops within a second)."""
    from cortico.exceptions import NotFoundError
    from cortico.jobs._dispatch import fail_job

    app = _celery(obj["instance"])
    failed = False
    for job_id in job_ids:
        try:
            done = fail_job(app, job_id, reason)
        except NotFoundError as exc:
            click.echo(exc.message, err=True)
            failed = True
            continue
        click.echo(f"{job_id}: " + ("failed" if done else "already finished; unchanged"))
    if failed:
        raise SystemExit(1)
