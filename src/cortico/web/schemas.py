"""Marshmallow schemas of the API (every field described for the OpenAPI spec)."""

from marshmallow import Schema, ValidationError, fields, validate

from cortico.db.models import JobState

__all__ = ["JobCreateSchema", "JobSchema", "JobListArgs", "WorkerHealthSchema", "refuse_long_list"]


def refuse_long_list(data, key, limit):
    """For a ``pre_load`` hook: refuse ``data[key]`` longer than ``limit`` before its items are loaded.

    A length validator on the field runs only after every item was deserialized,
    which for hundreds of thousands of items holds a web thread for minutes.
    """
    items = data.get(key) if isinstance(data, dict) else None
    if isinstance(items, list) and len(items) > limit:
        raise ValidationError(f"{len(items)} items were given; at most {limit} are allowed.", field_name=key)
    return data


class JobCreateSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "Job kind, e.g. `paint`.", "example": "paint"})
    params = fields.Dict(load_default=dict, metadata={"description": "Parameters of that kind of job."})


class JobSchema(Schema):
    id = fields.String(metadata={"description": "Unguessable job id."})
    kind = fields.String(metadata={"description": "Job kind."})
    state = fields.String(
        validate=validate.OneOf([state.value for state in JobState]),
        metadata={"description": "queued, running, succeeded, failed or cancelled."},
    )
    finished = fields.Boolean(metadata={"description": "True once the job succeeded, failed or was cancelled."})
    progress = fields.Float(metadata={"description": "Fraction done, 0 to 1."})
    message = fields.String(
        metadata={"description": "Human-readable progress message (derived from `step`, `done` and `total`)."}
    )
    step = fields.String(
        allow_none=True,
        metadata={
            "description": "What the job is doing now, e.g. `image`, `movie`, `panel`, `zip`.",
            "example": "image",
        },
    )
    done = fields.Integer(allow_none=True, metadata={"description": "Units of `step` finished so far.", "example": 3})
    total = fields.Integer(allow_none=True, metadata={"description": "Units of `step` in all.", "example": 8})
    error = fields.String(allow_none=True, metadata={"description": "Why the job failed (null otherwise)."})
    result = fields.Dict(allow_none=True, metadata={"description": "Result of a succeeded job."})
    created_at = fields.DateTime(metadata={"description": "When the job was submitted (UTC)."})
    started_at = fields.DateTime(allow_none=True, metadata={"description": "When a worker started it."})
    finished_at = fields.DateTime(allow_none=True, metadata={"description": "When it finished."})
    links = fields.Dict(metadata={"description": "URLs of this job's resources (`self`, result files)."})


class JobListArgs(Schema):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(1, 500),
        metadata={"description": "Maximum number of jobs, newest first."},
    )


class WorkerHealthSchema(Schema):
    workers = fields.Integer(metadata={"description": "Workers that reported within the last seconds."})
    broker = fields.String(metadata={"description": "`redis` or `embedded` (the file-based queue)."})
    waiting_messages = fields.Integer(
        allow_none=True, metadata={"description": "Messages waiting in the queue (not yet taken by a worker)."}
    )
    message = fields.String(metadata={"description": "Summary."})
