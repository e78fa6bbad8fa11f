"""Every choice of a painting run, as a dataclass that round-trips to JSON.

``settings.json`` written next to the images re-creates the run exactly:
``PaintSettings.from_json(path)`` and the same values table.
"""

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cortico.atlases._names import SURFACE_KINDS
from cortico.exceptions import InputError, Problem
from cortico.paint._colors import DEFAULT_STOPS, ColorScale, _colormap, parse_color
from cortico.paint._figures import LAYOUTS
from cortico.paint._renderer import ANTIALIAS_MODES, MAX_IMAGE_SIZE
from cortico.paint._views import ORIENTATIONS, View, get_view

__all__ = ["PaintSettings", "SETTINGS_VERSION"]

SETTINGS_VERSION = 1
_MESHES = ("fsaverage", "fsaverage6", "fsaverage5")
_PANEL_FORMATS = ("png", "pdf", "svg")
_MOVIE_FORMATS = ("mp4", "gif")
_DEFAULT_VIEWS = (
    "cortical-outer-left-hemisphere",
    "cortical-inner-left-hemisphere",
    "cortical-outer-right-hemisphere",
    "cortical-inner-right-hemisphere",
)


@dataclass
class PaintSettings:
    """Display settings of a painting run.

    Parameters
    ----------
    atlas : str
        Atlas name, e.g. ``"dk"``, ``"destrieux"``, ``"dkt"``.
    surface : {"pial", "white", "inflated", "midthickness"}
    mesh : {"fsaverage", "fsaverage6", "fsaverage5"}
        Template mesh of bundled human atlases: full fsaverage (163,842 vertices per
        hemisphere) or a lighter one (40,962 / 10,242) with the same labels.
    views : tuple of str
        View names or ``camera:...`` specs (see :func:`cortico.paint.get_view`).
    mode : {"ramp", "brainpainter"}
        Colour mode (see :mod:`cortico.paint._colors`).
    colors : tuple of str
        Colour stops of the ramp (ignored when ``cmap`` is set).
    cmap : str, optional
        A matplotlib colormap name instead of the stops.
    vmin, vmax : float, optional
        Data range; automatic from the table's values when not given.
    center : float, optional
        Value at the middle colour (diverging maps); automatic limits become
        symmetric around it.
    robust : bool
        Automatic limits from the 2nd and 98th percentiles instead of min/max.
    nodata_color, medial_wall_color, missing_color : str
        Greys of regions the table has no column for, of the medial wall, and of
        empty/NaN cells; all three are shaded by folding (light gyri, dark sulci).
    label : str
        Colour bar label (data units).
    width, height : int
        Image size in pixels (at most 4096 each).
    background : str
        A colour, or ``"transparent"``.
    antialias : {"fxaa", "msaa", "none"}
        Edge antialiasing (see :func:`cortico.paint.render_view`).
    orientation : {"auto", "anterior-up", "anterior-left", "anterior-right"}
        Where the frontal pole points in views from above and below (``top``,
        ``bottom``, ``subcortical-top``/``-bottom``). ``auto``: along the longer
        image side (anterior right in landscape images, as BrainPainter; up in
        portrait ones); BrainPainter mode always uses anterior right.
    panel : bool
        Also write one figure per row with all views and the colour bar.
    layout : {"grid", "cortex4", "brainpainter"}
        Panel layout: ``grid`` (the chosen views, up to 4 per line), ``cortex4``
        (lateral and medial of both hemispheres in a 2x2 grid, one shared colour
        bar), ``brainpainter`` (BrainPainter's 10 views in its order, 5 per line).
        Views the layout needs are rendered even when not in ``views``.
    panel_formats : tuple of {"png", "pdf", "svg"}
    movie : bool
        Also write a movie with one frame per row.
    movie_view : str
        View shown in the movie.
    movie_formats : tuple of {"mp4", "gif"}
    movie_fps : float
    movie_steps : int
        Frames interpolated between consecutive rows (0 = none).
    """

    atlas: str = "dk"
    surface: str = "pial"
    mesh: str = "fsaverage"
    views: tuple = _DEFAULT_VIEWS
    mode: str = "ramp"
    colors: tuple = DEFAULT_STOPS
    cmap: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    center: float | None = None
    robust: bool = False
    nodata_color: str = "#bfbfbf"
    medial_wall_color: str = "#8c8c8c"
    missing_color: str = "#c2ccdb"
    label: str = ""
    width: int = 1200
    height: int = 900
    background: str = "white"
    antialias: str = "fxaa"
    orientation: str = "auto"
    panel: bool = False
    layout: str = "grid"
    panel_formats: tuple = _PANEL_FORMATS
    movie: bool = False
    movie_view: str = "cortical-outer-left-hemisphere"
    movie_formats: tuple = _MOVIE_FORMATS
    movie_fps: float = 2.0
    movie_steps: int = 0
    version: int = field(default=SETTINGS_VERSION, repr=False)

    def __post_init__(self):
        problems = []
        for name in ("views", "colors", "panel_formats", "movie_formats"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = [v for v in value.split(",") if v.strip()]
            setattr(self, name, tuple(value))
        if self.surface not in SURFACE_KINDS:
            problems.append(_problem(f"surface must be one of {SURFACE_KINDS}, got {self.surface!r}", "surface"))
        if self.mesh not in _MESHES:
            problems.append(_problem(f"mesh must be one of {_MESHES}, got {self.mesh!r}", "mesh"))
        if not isinstance(self.atlas, str) or not self.atlas.strip():
            problems.append(_problem("atlas must be a non-empty name", "atlas"))
        if not self.views:
            problems.append(_problem("at least one view is needed", "views"))
        for spec in self.views:
            problems.extend(_collect("views", get_view, spec))
        problems.extend(_collect("movie_view", get_view, self.movie_view))
        if self.mode not in ("ramp", "brainpainter"):
            problems.append(_problem(f"mode must be 'ramp' or 'brainpainter', got {self.mode!r}", "mode"))
        for i, color in enumerate(self.colors):
            problems.extend(_collect("colors", parse_color, color, f"Colour stop {i + 1}"))
        if len(self.colors) < 2:
            problems.append(_problem(f"at least 2 colour stops are needed, got {len(self.colors)}", "colors"))
        if self.cmap is not None:
            if self.mode == "brainpainter":
                problems.append(_problem("cmap cannot be used in brainpainter mode (it uses the colour stops)", "cmap"))
            problems.extend(_collect("cmap", _colormap, self.cmap))
        for name in ("vmin", "vmax", "center"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    problems.append(_problem(f"{name} must be a finite number, got {value!r}", name))
                else:
                    setattr(self, name, float(value))
        if isinstance(self.vmin, float) and isinstance(self.vmax, float) and self.vmax <= self.vmin:
            problems.append(_problem(f"vmax ({self.vmax:g}) must be greater than vmin ({self.vmin:g})", "vmax"))
        for name in ("nodata_color", "medial_wall_color", "missing_color"):
            problems.extend(_collect(name, parse_color, getattr(self, name), name))
        if self.background != "transparent":
            problems.extend(_collect("background", parse_color, self.background, "background"))
        if self.orientation not in ORIENTATIONS:
            problems.append(
                _problem(f"orientation must be one of {ORIENTATIONS}, got {self.orientation!r}", "orientation")
            )
        if self.layout not in LAYOUTS:
            problems.append(_problem(f"layout must be one of {tuple(LAYOUTS)}, got {self.layout!r}", "layout"))
        if self.antialias not in ANTIALIAS_MODES:
            problems.append(
                _problem(f"antialias must be one of {ANTIALIAS_MODES}, got {self.antialias!r}", "antialias")
            )
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 16 <= value <= MAX_IMAGE_SIZE:
                problems.append(
                    _problem(f"{name} must be a whole number of pixels in 16..{MAX_IMAGE_SIZE}, got {value!r}", name)
                )
        for name, allowed in (
            ("panel_formats", _PANEL_FORMATS),
            ("movie_formats", _MOVIE_FORMATS),
        ):
            for value in getattr(self, name):
                if value not in allowed:
                    problems.append(_problem(f"{name}: {value!r} is not one of {allowed}", name))
        if not isinstance(self.movie_fps, (int, float)) or not 0.1 <= self.movie_fps <= 60:
            problems.append(_problem(f"movie_fps must be in 0.1..60, got {self.movie_fps!r}", "movie_fps"))
        steps = self.movie_steps
        if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= 100:
            problems.append(
                _problem(f"movie_steps must be a whole number in 0..100, got {self.movie_steps!r}", "movie_steps")
            )
        if not isinstance(self.label, str):
            problems.append(_problem("label must be text", "label"))
        if self.version != SETTINGS_VERSION:
            problems.append(
                _problem(f"settings version {self.version!r} is not supported (expected {SETTINGS_VERSION})", "version")
            )
        if problems:
            listed = "; ".join(p.message.rstrip(".") for p in problems)
            raise InputError(f"Invalid paint settings: {listed}.", problems=problems)

    @property
    def view_orientation(self) -> str:
        """The orientation views from above/below use (BrainPainter mode: anterior right)."""
        if self.orientation == "auto" and self.mode == "brainpainter":
            return "anterior-right"
        return self.orientation

    @property
    def view_objects(self) -> list[View]:
        """The :class:`~cortico.paint.View` of every view to render, oriented.

        :attr:`views` in order, then any view the panel :attr:`layout` needs.
        """
        specs = list(self.views)
        if self.panel:
            specs += [name for name in LAYOUTS[self.layout] if name not in specs]
        return [get_view(spec).oriented(self.view_orientation) for spec in specs]

    def color_scale(self, values) -> ColorScale:
        """Resolve the colour scale, taking automatic limits from ``values``.

        Parameters
        ----------
        values : array_like of float
            All values of the run (NaN ignored).

        Returns
        -------
        ColorScale
        """
        nodata = parse_color(self.nodata_color)
        if self.mode == "brainpainter":
            return ColorScale(
                0.0,
                len(self.colors) - 1.0,
                stops=self.colors,
                mode="brainpainter",
                nodata_color=nodata,
            )
        data = np.asarray(values, dtype=np.float64).ravel()
        data = data[np.isfinite(data)]
        if data.size:
            low, high = np.percentile(data, [2, 98]) if self.robust else (data.min(), data.max())
        else:
            low, high = 0.0, 1.0
        if self.center is not None and self.vmin is None and self.vmax is None:
            half = max(abs(high - self.center), abs(low - self.center)) or 1.0
            low, high = self.center - half, self.center + half
        vmin = self.vmin if self.vmin is not None else float(low)
        vmax = self.vmax if self.vmax is not None else float(high)
        if vmax <= vmin:
            if self.vmin is not None and self.vmax is not None:
                raise InputError(f"vmax ({vmax:g}) must be greater than vmin ({vmin:g}).")
            if self.vmin is None and self.vmax is None:
                vmin, vmax = vmin - 0.5, vmax + 0.5
            elif self.vmin is None:
                vmin = vmax - 1.0
            else:
                vmax = vmin + 1.0
        return ColorScale(
            vmin,
            vmax,
            stops=self.colors,
            cmap=self.cmap,
            center=self.center,
            nodata_color=nodata,
        )

    def resolved(self, values) -> "PaintSettings":
        """These settings with the automatic colour range fixed from ``values``.

        Split a table into parts only after this, so that every part uses the same
        colours (and ``settings.json`` re-creates the run whatever rows it gets).

        Parameters
        ----------
        values : array_like of float
            All values of the run (e.g. ``ValuesTable.matrix()``).

        Returns
        -------
        PaintSettings
        """
        if self.mode != "ramp":
            return self
        scale = self.color_scale(values)
        return self.replace(vmin=scale.vmin, vmax=scale.vmax)

    def to_dict(self) -> dict:
        """Plain JSON-able dict (tuples become lists)."""
        return {
            key: list(value) if isinstance(value, tuple) else value for key, value in dataclasses.asdict(self).items()
        }

    def to_json(self, path=None) -> str:
        """Serialise to JSON text, and write it to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data) -> "PaintSettings":
        """Build settings from a dict, rejecting unknown keys."""
        if not isinstance(data, dict):
            raise InputError(f"Settings must be a JSON object, got {type(data).__name__}.")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            message = f"Unknown settings key(s): {', '.join(unknown)}. Known keys: {', '.join(sorted(known))}."
            raise InputError(message, problems=[Problem(message, field="settings")])
        return cls(**data)

    @classmethod
    def from_json(cls, source) -> "PaintSettings":
        """Read settings from JSON text or a path to a ``settings.json`` file."""
        if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
            try:
                source = Path(source).read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"Cannot read settings file {str(source)!r}: {exc.strerror}.") from None
        try:
            data = json.loads(source)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"Settings are not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from None
        return cls.from_dict(data)

    def replace(self, **changes) -> "PaintSettings":
        """Return a copy with ``changes`` applied (validated)."""
        return dataclasses.replace(self, **changes)


def _problem(text, field_name):
    return Problem(text.rstrip(".") + ".", field=field_name)


def _collect(field_name, function, *args):
    """The problem of ``function(*args)`` for setting ``field_name``, as a list (empty when fine)."""
    try:
        function(*args)
    except InputError as exc:
        return [_problem(exc.message, field_name)]
    return []
