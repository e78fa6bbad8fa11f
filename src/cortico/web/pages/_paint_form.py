"""The painting form: its fields <-> PaintSettings, and what it keeps between tries."""

import base64
import binascii
import math

from cortico.exceptions import Problem

__all__ = [
    "COLOR_MODES",
    "KEEP_TABLE_BYTES",
    "default_form",
    "form_from_request",
    "form_from_settings",
    "form_settings",
    "keep_table",
    "kept_table",
]

COLOR_MODES = ("stops", "cmap", "brainpainter")
#: Largest table kept in the page between tries (larger ones must be chosen again).
KEEP_TABLE_BYTES = 1024 * 1024


def form_from_settings(settings):
    """Form values (strings, lists, booleans) showing ``settings`` (a dict of PaintSettings fields)."""
    from cortico.paint import PaintSettings

    data = PaintSettings().to_dict()
    data.update({key: value for key, value in settings.items() if key in data})
    if data["mode"] == "brainpainter":
        color_mode = "brainpainter"
    else:
        color_mode = "cmap" if data.get("cmap") else "stops"
    background = data["background"]
    return {
        "atlas": data["atlas"],
        "surface": data["surface"],
        "mesh": data["mesh"],
        "views": list(data["views"]),
        "color_mode": color_mode,
        "colors": [_hex(c) for c in data["colors"]],
        "cmap": data.get("cmap") or "viridis",
        "vmin": _text(data["vmin"]),
        "vmax": _text(data["vmax"]),
        "center": _text(data["center"]),
        "robust": bool(data["robust"]),
        "label": data["label"],
        "nodata_color": _hex(data["nodata_color"]),
        "background": _hex(background) if background != "transparent" else "#ffffff",
        "transparent": background == "transparent",
        "width": str(data["width"]),
        "height": str(data["height"]),
        "panel": bool(data["panel"]),
        "layout": data["layout"],
        "orientation": data["orientation"],
        "panel_formats": list(data["panel_formats"]),
        "movie": bool(data["movie"]),
        "movie_view": data["movie_view"],
        "movie_formats": list(data["movie_formats"]),
        "movie_fps": _text(data["movie_fps"]),
        "movie_steps": str(data["movie_steps"]),
    }


def default_form():
    """The form as first shown."""
    return form_from_settings({})


def _hex(color):
    from matplotlib.colors import to_hex

    try:
        from cortico.paint import parse_color

        return to_hex(parse_color(color))
    except ValueError:
        return "#ffffff"


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_from_request(form):
    """Form values as the user sent them (kept as typed, for showing the form again)."""
    values = default_form()
    for key in (
        "atlas",
        "surface",
        "mesh",
        "color_mode",
        "cmap",
        "vmin",
        "vmax",
        "center",
        "label",
        "nodata_color",
        "background",
        "width",
        "height",
        "movie_view",
        "movie_fps",
        "movie_steps",
        "layout",
        "orientation",
    ):
        if key in form:
            values[key] = form.get(key, "").strip()
    for key in ("views", "colors", "panel_formats", "movie_formats"):
        values[key] = [v.strip() for v in form.getlist(key) if v.strip()]
    for key in ("robust", "transparent", "panel", "movie"):
        values[key] = form.get(key) in ("on", "1", "true", "yes")
    return values


def _number(values, key, problems, label, whole=False, optional=True):
    text = values[key].replace(",", ".") if isinstance(values[key], str) else values[key]
    if text in ("", None):
        if optional:
            return None
        problems.append(Problem(f"{label} is empty; enter a number.", field=key))
        return None
    try:
        number = float(text)
    except ValueError:
        problems.append(Problem(f"{label}: {values[key]!r} is not a number.", field=key))
        return None
    if not math.isfinite(number):
        problems.append(Problem(f"{label}: {values[key]!r} is not a finite number.", field=key))
        return None
    if whole:
        if not number.is_integer():
            problems.append(Problem(f"{label}: {values[key]!r} is not a whole number.", field=key))
            return None
        return int(number)
    return number


def form_settings(values):
    """PaintSettings fields from form values, and the problems of fields that are not numbers.

    Returns
    -------
    (dict, list of Problem)
    """
    problems = []
    mode = values["color_mode"] if values["color_mode"] in COLOR_MODES else "stops"
    settings = {
        "atlas": values["atlas"],
        "surface": values["surface"],
        "mesh": values["mesh"],
        "views": values["views"],
        "mode": "brainpainter" if mode == "brainpainter" else "ramp",
        "cmap": values["cmap"] if mode == "cmap" else None,
        "robust": values["robust"],
        "label": values["label"],
        "nodata_color": values["nodata_color"],
        "background": "transparent" if values["transparent"] else values["background"],
        "panel": values["panel"],
        "layout": values["layout"],
        "orientation": values["orientation"],
        "panel_formats": values["panel_formats"] or ["png"],
        "movie": values["movie"],
        "movie_view": values["movie_view"],
        "movie_formats": values["movie_formats"] or ["mp4"],
    }
    if values["colors"]:
        settings["colors"] = values["colors"]
    if not values["views"]:
        problems.append(Problem("No view is ticked; choose at least one view.", field="views"))
        settings.pop("views")
    for key, label in (("vmin", "Lowest value (vmin)"), ("vmax", "Highest value (vmax)"), ("center", "Centre value")):
        number = _number(values, key, problems, label)
        if number is not None and mode != "brainpainter":
            settings[key] = number
    for key, label in (("width", "Image width"), ("height", "Image height")):
        number = _number(values, key, problems, label, whole=True, optional=False)
        if number is not None:
            settings[key] = number
    steps = _number(values, "movie_steps", problems, "Frames between rows", whole=True, optional=True)
    settings["movie_steps"] = steps if steps is not None else 0
    fps = _number(values, "movie_fps", problems, "Frames per second", optional=True)
    if fps is not None:
        settings["movie_fps"] = fps
    return settings, problems


def kept_table(form):
    """The table kept from an earlier try (base64 in a hidden field), or None."""
    text = form.get("kept_table", "")
    if not text:
        return None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def keep_table(table_bytes):
    """Base64 text of a table small enough to keep in the page, else ''."""
    if not table_bytes or len(table_bytes) > KEEP_TABLE_BYTES:
        return ""
    return base64.b64encode(table_bytes).decode("ascii")
