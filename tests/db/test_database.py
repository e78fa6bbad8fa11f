"""The schema and models on SQLite and on the running PostgreSQL."""

from datetime import UTC

import pytest
from sqlalchemy import inspect, select, text

from cortico.db import Database, Job, JobState, User, upgrade_schema
from cortico.db.accounts import create_token, create_user, user_for_token
from cortico.exceptions import ConflictError, InputError


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def test_schema_upgrade_is_idempotent(database_url):
    upgrade_schema(database_url)
    upgrade_schema(database_url)
    db = Database(database_url)
    tables = set(inspect(db.engine).get_table_names())
    assert {"users", "tokens", "jobs", "workers", "alembic_version"} <= tables
    db.dispose()


def test_jobs_hold_numeric_progress(database_url):
    upgrade_schema(database_url)
    db = Database(database_url)
    columns = {column["name"] for column in inspect(db.engine).get_columns("jobs")}
    assert {"done", "total", "step"} <= columns
    with db.session() as session:
        user = create_user(session, "dora")
        job = Job(kind="paint", owner_id=user.id, done=3, total=8, step="image")
        session.add(job)
        session.flush()
        job_id = job.id
    with db.session() as session:
        job = session.get(Job, job_id)
        assert (job.done, job.total, job.step) == (3, 8, "image")
    db.dispose()


def test_job_round_trip(database_url):
    upgrade_schema(database_url)
    db = Database(database_url)
    with db.session() as session:
        user = create_user(session, "carol")
        job = Job(kind="paint", owner_id=user.id, params={"values": [1.5, None], "name": "x"})
        session.add(job)
        session.flush()
        job_id = job.id
    with db.session() as session:
        job = session.get(Job, job_id)
        assert len(job_id) >= 22 and job_id.replace("-", "").replace("_", "").isalnum()
        assert job.state == JobState.QUEUED.value
        assert job.params == {"values": [1.5, None], "name": "x"}
        assert job.created_at.tzinfo is not None
        assert job.created_at.utcoffset() == UTC.utcoffset(None)
        assert job.owner.name == "carol"
    db.dispose()


def test_tokens_are_stored_hashed(database_url):
    upgrade_schema(database_url)
    db = Database(database_url)
    with db.session() as session:
        create_user(session, "dave")
        plain = create_token(session, "dave", "laptop")
    with db.session() as session:
        stored = session.execute(select(User).where(User.name == "dave")).scalar().tokens[0]
        assert plain not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
        assert user_for_token(session, plain).name == "dave"
        assert user_for_token(session, plain + "x") is None
    db.dispose()


def test_user_names_are_checked(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade_schema(url)
    db = Database(url)
    with db.session() as session:
        create_user(session, "erin")
        with pytest.raises(ConflictError, match="already exists"):
            create_user(session, "erin")
        for bad in ("", "../x", "a b", "x" * 65):
            with pytest.raises(InputError, match="Invalid user name"):
                create_user(session, bad)


def test_user_ids_are_never_reused(database_url):
    upgrade_schema(database_url)
    db = Database(database_url)
    with db.session() as session:
        create_user(session, "first")
        newest = create_user(session, "second").id
    with db.session() as session:
        session.delete(session.get(User, newest))
    with db.session() as session:
        assert create_user(session, "third").id > newest
    db.dispose()


def test_upgrade_to_autoincrement_keeps_users_and_their_objects(tmp_path):
    from alembic import command
    from alembic.config import Config

    from cortico.db._migrate import _MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["database_url"] = url
    command.upgrade(config, "0002")
    db = Database(url)
    with db.session() as session:
        session.execute(text("INSERT INTO users (id, name, anonymous, created_at) VALUES (7, 'old', 0, '2026-01-01')"))
        session.execute(
            text(
                "INSERT INTO tokens (user_id, token_hash, prefix, label, created_at) "
                "VALUES (7, :hash, 'ctk_', '', '2026-01-01')"
            ),
            {"hash": "0" * 64},
        )
    db.dispose()
    upgrade_schema(url)
    db = Database(url)
    with db.session() as session:
        assert session.get(User, 7).tokens[0].token_hash == "0" * 64
        session.delete(session.get(User, 7))
    with db.session() as session:
        assert create_user(session, "new").id == 8  # 7 is never handed out again
    db.dispose()


def test_token_use_is_written_at_most_once_a_minute(database_url):
    from datetime import timedelta

    upgrade_schema(database_url)
    db = Database(database_url)
    with db.session() as session:
        create_user(session, "erin")
        plain = create_token(session, "erin")
    with db.session() as session:
        user_for_token(session, plain)
        first = session.execute(select(User).where(User.name == "erin")).scalar().tokens[0].last_used_at
    with db.session() as session:
        user_for_token(session, plain)
        assert not session.dirty  # a second use within the minute writes nothing
        token = session.execute(select(User).where(User.name == "erin")).scalar().tokens[0]
        assert token.last_used_at == first
        token.last_used_at = first - timedelta(minutes=2)
    with db.session() as session:
        user_for_token(session, plain)
        assert session.execute(select(User).where(User.name == "erin")).scalar().tokens[0].last_used_at > first
    db.dispose()
