"""SQLAlchemy models: users, API tokens, jobs and worker heartbeats."""

import enum
import secrets
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "Image", "Job", "JobState", "Token", "User", "Worker", "new_job_id", "utcnow"]


def utcnow():
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


def new_job_id():
    """Unguessable, URL-safe job id (128 bits)."""
    return secrets.token_urlsafe(16)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class User(Base):
    """A user; anonymous ones are browser sessions, bound to them by ``session_secret``.

    Ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL), so a
    cookie naming a deleted owner can never open a newer user's objects.
    """

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Random secret held by the owner's browser cookie; the session dies with the row.
    session_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    # Client address that created an anonymous owner (for the per-address limits).
    client_address: Mapped[str | None] = mapped_column(String(64), default=None, index=True)

    tokens: Mapped[list["Token"]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Token(Base):
    """An API token; only its SHA-256 hash is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to tell tokens apart in listings
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="tokens")


class JobState(str, enum.Enum):  # noqa: UP042 (StrEnum would change str())
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self):
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class Job(Base):
    """One unit of background work and everything the web process shows about it."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_message: Mapped[str] = mapped_column(Text, default="queued")
    # The numbers behind progress_message: ``done`` of ``total`` units of ``step`` (e.g. 3 of 8 images).
    done: Mapped[int | None] = mapped_column(Integer, default=None)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    step: Mapped[str | None] = mapped_column(String(32), default=None)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    # Each (re)dispatch gets a fresh id; a message whose dispatch id is stale is dropped,
    # so a job re-sent after a worker death never runs twice at once.
    dispatch_id: Mapped[str | None] = mapped_column(String(32), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(255), default=None)

    owner: Mapped[User] = relationship()

    @property
    def job_state(self):
        return JobState(self.state)


class Worker(Base):
    """Heartbeat of a worker process, for the worker-health endpoints."""

    __tablename__ = "workers"

    hostname: Mapped[str] = mapped_column(String(255), primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    info: Mapped[dict] = mapped_column(JSON, default=dict)


class Image(Base):
    """A NIfTI volume in the image store, with its Neuroglancer precomputed copy.

    Files live under ``<storage>/images/<id>/`` with fixed names (``files``); the
    user's file name is only ever stored here, never used in a path. ``link_key``
    is the unguessable capability in the volume's public ``links.normalized`` URL
    (Neuroglancer fetches it without credentials), distinct from ``id``.
    """

    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_images_owner_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))  # file name without .nii/.nii.gz
    file_name: Mapped[str] = mapped_column(String(300))  # as uploaded
    visibility: Mapped[str] = mapped_column(String(16), default="private", index=True)
    segmentation: Mapped[bool] = mapped_column(default=False)
    link_key: Mapped[str] = mapped_column(String(64), unique=True, default=new_job_id)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # Chumni NiftiExtra
    files: Mapped[dict] = mapped_column(JSON, default=dict)  # role -> file name in the folder
    source_job_id: Mapped[str | None] = mapped_column(String(32), default=None)  # job that produced it
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
