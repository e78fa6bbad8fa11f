"""The ``paint`` job kind: a checked painting request -> images, panels, movie, zip.

Parameters stored with the job (JSON)::

    {"settings": {...PaintSettings fields...},
     "input_file": "values.csv",          # the table, already in the job folder
     "input_name": "thickness.csv"}       # the user's file name, for display only

or, from the generic ``POST /api/v1/jobs``, ``"values": {image: {column: value}}``
instead of ``input_file``. The web saves the checked request in ``input/``
(:meth:`cortico.paint.PaintRequest.save`), so the worker loads it without parsing
the CSV again. This module only orchestrates: it forks renderers, reports progress
and records the result; the painting core names and writes every file.
"""

import os
import time
import zipfile
from pathlib import Path

from cortico.exceptions import InputError
from cortico.jobs._registry import JobKind, register_kind
from cortico.jobs.kinds._paint_pool import (
    plan_parts,
    render_colorbars,
    render_movie,
    render_panels,
    render_part,
    run_processes,
)
from cortico.paint import (
    INPUT_CSV,
    SETTINGS_FILE,
    PaintLimits,
    PaintRequest,
    PaintSettings,
    atlas_store,
    check_paint_request,
    result_record,
    saved_request_exists,
    values_to_csv,
    view_caption,
    zip_members,
)

__all__ = ["KIND", "input_folder", "results_folder", "run", "validate"]

KIND = "paint"


def input_folder(job_folder) -> Path:
    """Where a paint job's values table and checked request live."""
    return Path(job_folder) / "input"


def results_folder(job_folder) -> Path:
    """Where a paint job's results live."""
    return Path(job_folder) / "results"


def validate(params):
    """Check the parameters of a paint job before it is queued.

    Settings are checked completely; a table given as ``values`` is checked against
    the atlas too (an uploaded table was checked by the web layer before storing).

    Returns
    -------
    dict
        Normalised parameters (settings with every field).
    """
    if not isinstance(params, dict):
        raise InputError("Paint job parameters must be an object.")
    unknown = sorted(set(params) - {"settings", "values", "input_file", "input_name"})
    if unknown:
        raise InputError(
            f"Unknown paint job parameter(s): {', '.join(unknown)}; "
            "expected 'settings' and 'values' (or an uploaded table)."
        )
    settings_data = params.get("settings") or {}
    if "values" in params:
        request = check_paint_request(values_to_csv(params["values"]), settings_data, PaintLimits())
        request.raise_for_problems()
        settings = request.settings
    elif params.get("input_file") == INPUT_CSV:
        if not isinstance(settings_data, dict):
            raise InputError("'settings' must be an object of setting names and values.")
        settings = PaintSettings.from_dict(settings_data)
    else:
        raise InputError(
            "A paint job needs 'values' ({image name: {region column: value}}), "
            "or a CSV uploaded through POST /api/v1/paint/jobs."
        )
    normalised = {"settings": settings.to_dict()}
    if "values" in params:
        normalised["values"] = params["values"]
    else:
        normalised["input_file"] = INPUT_CSV
    name = params.get("input_name")
    normalised["input_name"] = str(name)[:200] if name else INPUT_CSV
    return normalised


def _owner(context):
    """The job's owner (imported atlases are theirs); read from the job record."""
    from cortico.db import Job

    with context.runtime.db.session() as session:
        job = session.get(Job, context.job_id)
        return job.owner_id if job is not None else None


def _processes(settings, units):
    configured = settings.get("PAINT_PROCESSES") or os.cpu_count() or 1
    return max(1, min(int(configured), units))


def _checked_request(context, params):
    """The request saved by the web, or the job's values checked (and saved) now."""
    runtime_settings = context.runtime.settings
    folder = input_folder(context.folder)
    store, owner = atlas_store(runtime_settings), _owner(context)
    if saved_request_exists(folder):
        return PaintRequest.load(folder, store, owner)
    if "values" in params:
        table_bytes = values_to_csv(params["values"])
    elif (folder / INPUT_CSV).is_file():
        table_bytes = (folder / INPUT_CSV).read_bytes()
    else:
        raise InputError("The values table of this job is missing from the server's storage.")
    request = check_paint_request(
        table_bytes, params.get("settings") or {}, PaintLimits.from_settings(runtime_settings), store, owner
    )
    request.save(folder)
    return request


class _Progress:
    """Counts finished images, movie frames and panels; reports the earliest unfinished step."""

    def __init__(self, context, totals, display):
        self.context = context
        self.totals = totals  # step -> count; "zip" is the last unit
        self.done = dict.fromkeys(totals, 0)
        self.display = display

    def __call__(self, step, message):
        self.done[step] += 1
        detail = None
        current = next((s for s in self.totals if self.done[s] < self.totals[s]), "zip")
        if step == current == "image":
            file_name, _, view_name = message.partition(": ")
            detail = f"{self.display.get(file_name, file_name)}, {view_caption(view_name)}"
        elif step == current == "panel":
            detail = message
        self.report(current, detail)

    def report(self, step, detail=None, force=False):
        units = sum(self.totals.values())
        self.context.step_progress(
            step,
            self.done[step],
            self.totals[step],
            detail,
            fraction=min(sum(self.done.values()), units - 1) / units,
            force=force,
        )


def run(context, params):
    """Paint every row x view of the job in parallel processes, then zip everything."""
    started = time.monotonic()
    request = _checked_request(context, params)
    table = request.table
    settings = request.settings.resolved(table.matrix())
    scale = settings.color_scale(table.matrix())
    record = result_record(settings, table, request.warnings)
    out = results_folder(context.folder)
    (out / "thumbs").mkdir(parents=True, exist_ok=True)
    settings.to_json(out / SETTINGS_FILE)
    (out / INPUT_CSV).write_bytes(request.table_bytes)

    named_rows = [(row["file_name"], values) for row, values in zip(record["rows"], table.rows, strict=True)]
    views = tuple(settings.views)
    n_images = len(named_rows) * len(views)
    progress = _Progress(
        context,
        {
            "image": n_images,
            "movie": (len(named_rows) + (len(named_rows) - 1) * settings.movie_steps) if settings.movie else 0,
            "panel": len(named_rows) if settings.panel else 0,
            "zip": 1,
        },
        {row["file_name"]: row["name"] for row in record["rows"]},
    )
    processes = _processes(context.runtime.settings, n_images)
    parts = plan_parts(len(named_rows), views, processes)
    progress.report("image", force=True)
    stage = [
        (render_part, (request.atlas, part, [named_rows[i] for i in part.rows], settings, scale, str(out)))
        for part in parts
    ]
    stage.append((render_colorbars, (settings, scale, str(out))))
    if settings.movie:
        stage.append((render_movie, (request.atlas, table, settings, scale, str(out))))
    run_processes(stage, progress, context.check_cancelled)
    if settings.panel:
        titled = [(row["name"], row["file_name"]) for row in record["rows"]]
        chunks = [titled[i::processes] for i in range(min(processes, len(titled)))]
        run_processes(
            [(render_panels, (chunk, settings, scale, str(out))) for chunk in chunks], progress, context.check_cancelled
        )
    progress.report("zip", force=True)
    _write_zip(out, record)
    record["seconds"] = round(time.monotonic() - started, 2)
    progress.done["zip"] = 1
    progress.report("zip", force=True)
    return record


def _write_zip(out, record):
    """One zip with every image, panel, colour bar, movie, the table and settings.json."""
    target = out / record["zip"]
    partial = out / (record["zip"] + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in zip_members(record):
            # PNG, MP4 and GIF are compressed already: store them as they are
            stored = name.rsplit(".", 1)[-1] in ("png", "mp4", "gif")
            archive.write(out / name, name, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    partial.replace(target)


register_kind(
    JobKind(
        KIND,
        run,
        validate,
        "Paint atlas regions with the values of a BrainPainter-style table: images, panels, movie, zip.",
    )
)
