"""The landing page: what cortico does and links to each tool."""

from flask import Blueprint, current_app, render_template

from cortico import __version__

bp = Blueprint("home", __name__)

# (endpoint, title, summary) of every tool page; a tool appears once its blueprint exists.
TOOLS = [
    ("paint.form", "Brain painting",
     "Upload a CSV of values per atlas region and get publication figures of the painted brain."),
    ("align.index", "Cortical patch alignment",
     "Compute equivolumetric depth maps and align cortical patches to a template."),
]


@bp.get("/")
def index():
    tools = [(endpoint, title, summary) for endpoint, title, summary in TOOLS
             if endpoint in current_app.view_functions]
    return render_template("home.html", tools=tools, version=__version__)
