"""The landing page: what cortico does and links to each tool."""

import os

from flask import Blueprint, abort, current_app, render_template, send_from_directory

from cortico._version import __version__

bp = Blueprint("home", __name__)

# (endpoint, title, summary) of every tool page; a tool appears once its blueprint exists.
TOOLS = [
    (
        "paint.form",
        "Brain painting",
        "Upload a CSV of values per atlas region and get publication figures of the painted brain.",
    ),
    (
        "atlases.index",
        "Atlases",
        "Every atlas to paint on (Yeo, Brodmann, Schaefer, Glasser, mouse...), CSV templates, and import of your own.",
    ),
    (
        "align.index",
        "Cortical patch alignment",
        "Compute equivolumetric depth maps and align cortical patches to a template.",
    ),
]


def available_tools():
    """The tools whose pages this app serves, as (endpoint, title, summary)."""
    return [tool for tool in TOOLS if tool[0] in current_app.view_functions]


@bp.app_context_processor
def _navigation():
    return {"nav_tools": available_tools(), "version": __version__}


def _examples_folder():
    return os.path.join(current_app.config["INSTANCE_PATH"], "examples")


@bp.get("/")
def index():
    from cortico.paint._examples import read_examples

    return render_template(
        "home.html",
        tools=available_tools(),
        examples=read_examples(_examples_folder()),
        can_paint="paint.form" in current_app.view_functions,
    )


@bp.get("/examples/<name>")
def example_figure(name):
    """An example figure painted by `cortico examples` (only names listed in its index)."""
    from cortico.paint._examples import read_examples

    if name not in {entry["file"] for entry in read_examples(_examples_folder())}:
        abort(404)
    return send_from_directory(_examples_folder(), name, max_age=86400)


@bp.get("/notice")
def notice():
    """The NOTICE file: licences of cortico and of the data and code it ships."""
    from importlib import metadata

    distribution = metadata.distribution("cortico")
    text = distribution.read_text("licenses/NOTICE") or distribution.read_text("NOTICE")
    if text is None:
        abort(404)
    return text, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.ico")
