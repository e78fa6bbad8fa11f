"""The landing page: what cortico does and links to each tool."""

from flask import Blueprint, current_app, render_template

from cortico import __version__

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


@bp.get("/")
def index():
    return render_template("home.html", tools=available_tools())
