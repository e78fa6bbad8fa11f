"""The ``paint`` job kind: a values table + settings -> images, panels, movie, zip.

Parameters stored with the job (JSON)::

    {"settings": {...PaintSettings fields...},
     "input_file": "values.csv",          # the table, already in the job folder
     "input_name": "thickness.csv"}       # the user's file name, for display only

or, from the generic ``POST /api/v1/jobs``, ``"values": {image: {column: value}}``
instead of ``input_file``. Files are written under the job folder only:
``input/values.csv`` and ``results/`` (images, ``thumbs/``, panels, colour bars,
movie, ``settings.json``, ``values.csv`` and the zip of all of them).
"""

import os
import time
import zipfile
from pathlib import Path

from cortico.exceptions import InputError
from cortico.jobs._registry import JobKind, register_kind
from cortico.jobs.kinds._paint_inputs import (
    INPUT_CSV,
    PaintLimits,
    atlas_store,
    check_paint_request,
    load_paint_atlas,
    values_to_csv,
)
from cortico.jobs.kinds._paint_pool import plan_parts, render_movie, render_panels, render_part, run_processes

__all__ = ["KIND", "ZIP_NAME", "input_path", "results_folder", "run", "validate"]

KIND = "paint"
ZIP_NAME = "cortico-paint.zip"
_SETTINGS_FILE = "settings.json"


def input_path(job_folder):
    """Where a paint job's values table lives."""
    return Path(job_folder) / "input" / INPUT_CSV


def results_folder(job_folder):
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
    from cortico.paint import PaintSettings

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
        settings = PaintSettings.from_dict(settings_data) if isinstance(settings_data, dict) else None
        if settings is None:
            raise InputError("'settings' must be an object of setting names and values.")
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


def run(context, params):
    """Paint every row x view of the job in parallel processes, then zip everything."""
    from cortico.paint import view_caption

    started = time.monotonic()
    runtime_settings = context.runtime.settings
    source = input_path(context.folder)
    if "values" in params and not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(values_to_csv(params["values"]))
    if not source.exists():
        raise InputError("The values table of this job is missing from the server's storage.")
    table_bytes = source.read_bytes()
    store, owner = atlas_store(runtime_settings), _owner(context)
    request = check_paint_request(
        table_bytes, params.get("settings") or {}, PaintLimits.from_settings(runtime_settings), store, owner
    )
    request.raise_for_problems()
    settings, table = request.settings, request.table
    atlas = load_paint_atlas(settings.atlas, store, owner, settings.mesh)
    settings = settings.resolved(table.matrix())
    scale = settings.color_scale(table.matrix())
    out = results_folder(context.folder)
    thumbs = out / "thumbs"
    work = context.folder / "work"
    for folder in (out, thumbs, work):
        folder.mkdir(parents=True, exist_ok=True)
    settings.to_json(out / _SETTINGS_FILE)
    (out / INPUT_CSV).write_bytes(table_bytes)

    from cortico.paint._naming import unique_safe_names

    file_names = unique_safe_names([row.name for row in table.rows])
    rows = [(file_name, row.values, row.row) for file_name, row in zip(file_names, table.rows)]
    display = dict(zip(file_names, (row.name for row in table.rows)))
    table_meta = (table.atlas_name, tuple(table.region_keys))
    views = tuple(settings.views)
    n_images = len(rows) * len(views)
    n_panels = len(rows) if settings.panel else 0
    n_frames = (len(rows) + (len(rows) - 1) * settings.movie_steps) if settings.movie else 0
    movie_steps = len(rows) + n_frames if settings.movie else 0
    total = n_images + n_panels + movie_steps + 1
    counts = {"image": 0, "panel": 0, "movie": 0}
    processes = _processes(runtime_settings, n_images)
    parts = plan_parts(len(rows), views, processes)
    context.progress(0, total, f"preparing {n_images} image(s) in {len(parts)} rendering process(es)", force=True)

    def on_message(kind, message):
        counts[kind] += 1
        done = sum(counts.values())
        if kind == "image":
            file_name, _, view_name = message.partition(": ")
            text = (
                f"image {counts['image']} of {n_images}: {display.get(file_name, file_name)}, {view_caption(view_name)}"
            )
        elif kind == "panel":
            text = f"panel {counts['panel']} of {n_panels}: {message}"
        else:
            text = f"movie step {counts['movie']} of {movie_steps}"
        context.progress(min(done, total - 1), total, text)

    data = settings.to_dict()
    stage = [
        (render_part, (atlas, part, [rows[i] for i in part.rows], table_meta, data, str(work), str(out), str(thumbs)))
        for part in parts
    ]
    if settings.movie:
        stage.append((render_movie, (atlas, rows, table_meta, data, str(work), str(out))))
    outcomes = run_processes(stage, on_message, context.check_cancelled)
    produced = [item for outcome in outcomes[: len(parts)] for item in outcome]
    movies = outcomes[len(parts)] if settings.movie else []
    panels = {}
    if settings.panel:
        by_row = {}
        for file_name, view_name, png, _ in produced:
            by_row.setdefault(file_name, {})[view_name] = str(out / png)
        order = _view_names(views)
        jobs = [
            (display[file_name], file_name, [(v, by_row[file_name][v]) for v in order if v in by_row[file_name]])
            for file_name, _, _ in rows
        ]
        chunks = [jobs[i::processes] for i in range(min(processes, len(jobs)))]
        formats, transparent = tuple(settings.panel_formats), settings.background == "transparent"
        for written in run_processes(
            [(render_panels, (chunk, scale, settings.label, formats, transparent, str(out))) for chunk in chunks],
            on_message,
            context.check_cancelled,
        ):
            panels.update(written)
    context.progress(total - 1, total, "packing the zip file", force=True)
    result = _result(settings, table, display, rows, views, produced, panels, movies, out, request.warnings)
    _write_zip(out, result)
    _remove_tree(work)
    result["seconds"] = round(time.monotonic() - started, 2)
    context.progress(total, total, f"done: {n_images} image(s)", force=True)
    return result


def _view_names(views):
    from cortico.paint import get_view

    return [get_view(spec).name for spec in views]


def _result(settings, table, display, rows, views, produced, panels, movies, out, warnings):
    from cortico.paint import view_caption

    order = {name: position for position, name in enumerate(_view_names(views))}
    images = {}
    for file_name, view_name, png, thumb in produced:
        images.setdefault(file_name, []).append(
            {"view": view_name, "caption": view_caption(view_name), "file": png, "thumb": f"thumbs/{thumb}"}
        )
    result_rows = []
    for file_name, _, number in rows:
        row_images = sorted(images.get(file_name, []), key=lambda item: order.get(item["view"], 0))
        result_rows.append(
            {
                "name": display[file_name],
                "file_name": file_name,
                "row": number,
                "images": row_images,
                "panels": panels.get(file_name, []),
            }
        )
    colorbars = sorted(p.name for p in out.glob("colorbar.*"))
    return {
        "atlas": settings.atlas,
        "surface": settings.surface,
        "vmin": settings.vmin,
        "vmax": settings.vmax,
        "label": settings.label,
        "rows": result_rows,
        "image_count": sum(len(r["images"]) for r in result_rows),
        "colorbars": colorbars,
        "movies": movies,
        "settings_file": _SETTINGS_FILE,
        "input_file": INPUT_CSV,
        "zip": ZIP_NAME,
        "warnings": list(warnings),
    }


def result_files(result):
    """Every file name of a result that goes into the zip (relative to ``results/``)."""
    names = [image["file"] for row in result["rows"] for image in row["images"]]
    names += [panel for row in result["rows"] for panel in row["panels"]]
    names += list(result["colorbars"]) + list(result["movies"])
    names += [result["settings_file"], result["input_file"]]
    return names


def _write_zip(out, result):
    """One zip with every image, panel, colour bar, movie, the table and settings.json."""
    target = out / ZIP_NAME
    partial = out / (ZIP_NAME + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in result_files(result):
            # PNG, MP4 and GIF are compressed already: store them as they are
            stored = name.rsplit(".", 1)[-1] in ("png", "mp4", "gif")
            archive.write(out / name, name, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    partial.replace(target)


def _remove_tree(folder):
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


register_kind(
    JobKind(
        KIND,
        run,
        validate,
        "Paint atlas regions with the values of a BrainPainter-style table: images, panels, movie, zip.",
    )
)
