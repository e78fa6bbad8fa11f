"""Expiry of finished jobs, their files and idle anonymous users."""

from datetime import timedelta

from cortico.db import Job, JobState, User
from cortico.db.accounts import create_anonymous_user, create_user
from cortico.db.models import utcnow
from cortico.jobs import purge_expired


def test_purge_deletes_only_expired_finished_jobs(app):
    runtime = app.extensions["celery"].cortico
    old = utcnow() - timedelta(seconds=app.config["RETENTION_SECONDS"] + 60)
    with runtime.db.session() as session:
        owner = create_user(session, "alice").id
        anonymous_old = create_anonymous_user(session)
        anonymous_old.created_at = old
        anonymous_old_id = anonymous_old.id
        jobs = {
            "expired": Job(kind="k", owner_id=owner, state=JobState.SUCCEEDED.value, created_at=old),
            "expired_failed": Job(kind="k", owner_id=owner, state=JobState.FAILED.value, created_at=old),
            "old_but_running": Job(kind="k", owner_id=owner, state=JobState.RUNNING.value, created_at=old),
            "recent": Job(kind="k", owner_id=owner, state=JobState.SUCCEEDED.value),
        }
        session.add_all(jobs.values())
        session.flush()
        ids = {name: job.id for name, job in jobs.items()}
    for job_id in ids.values():
        (runtime.job_folder(job_id) / "image.png").write_bytes(b"png")

    assert purge_expired(runtime) == 3  # two jobs and the idle anonymous user

    with runtime.db.session() as session:
        remaining = {job.id for job in session.query(Job)}
        assert session.get(User, anonymous_old_id) is None
        assert session.get(User, owner) is not None
    assert remaining == {ids["old_but_running"], ids["recent"]}
    assert not (runtime.storage / "jobs" / ids["expired"]).exists()
    assert (runtime.storage / "jobs" / ids["recent"] / "image.png").read_bytes() == b"png"
    assert (runtime.storage / "jobs" / ids["old_but_running"] / "image.png").exists()


def test_delete_finished_job_only_for_its_owner_and_only_when_finished(app):
    import pytest

    from cortico.exceptions import ConflictError, NotFoundError
    from cortico.jobs import delete_finished_job

    runtime = app.extensions["celery"].cortico
    with runtime.db.session() as session:
        alice, bob = create_user(session, "alice").id, create_user(session, "bob").id
        done = Job(kind="k", owner_id=alice, state=JobState.SUCCEEDED.value)
        running = Job(kind="k", owner_id=alice, state=JobState.RUNNING.value)
        session.add_all([done, running])
        session.flush()
        done_id, running_id = done.id, running.id
    (runtime.job_folder(done_id) / "image.png").write_bytes(b"png")

    with pytest.raises(NotFoundError):
        delete_finished_job(runtime, done_id, bob)
    with pytest.raises(ConflictError, match="stop it before deleting it"):
        delete_finished_job(runtime, running_id, alice)
    assert (runtime.storage / "jobs" / done_id / "image.png").exists()

    delete_finished_job(runtime, done_id, alice)
    with runtime.db.session() as session:
        assert session.get(Job, done_id) is None and session.get(Job, running_id) is not None
    assert not (runtime.storage / "jobs" / done_id).exists()
