"""Mapping region values to colours.

Two modes:

``brainpainter``
    BrainPainter's formula, exactly: N colour stops ``C[0..N-1]``, values in
    ``0..N-1``; ``k = floor(v)``, ``f = v - k``, colour ``(1 - f) C[k] + f C[k+1]``
    (linear in RGB). Values ``>= N-1`` are clamped to ``N - 1.01`` as BrainPainter
    does (so the top colour itself is never reached) and negative values are
    rejected.
``ramp`` (default)
    The same piecewise-linear ramp, or any matplotlib colormap, stretched over
    ``vmin..vmax`` in data units and clamped at both ends. With ``center`` the two
    halves are stretched separately so that ``center`` maps to the middle colour
    (diverging maps).

NaN (empty cell, region not in the table) gets the no-data colour.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from cortico.exceptions import InputError

__all__ = [
    "ColorScale",
    "DEFAULT_STOPS",
    "BRAINPAINTER_WEBSITE_STOPS",
    "brainpainter_colors",
    "parse_color",
    "ramp_colors",
]

DEFAULT_STOPS = ("#ffffff", "#ffff00", "#ff6600", "#ff0000")
BRAINPAINTER_WEBSITE_STOPS = ("#ffffff", "#ffff00", "#ff9100", "#ff0000", "#ff0000")
_MODES = ("ramp", "brainpainter")


def parse_color(value, what="colour") -> tuple[float, ...]:
    """Turn a colour given as ``#rrggbb``, a matplotlib name or an RGB tuple into RGB.

    Parameters
    ----------
    value : str or sequence of float
    what : str
        How the colour is named in the error message.

    Returns
    -------
    tuple of float
        Red, green, blue in 0..1.
    """
    from matplotlib.colors import to_rgb

    if isinstance(value, str):
        text = value.strip()
        if len(text) in (6, 8) and all(c in "0123456789abcdefABCDEF" for c in text):
            text = "#" + text
        candidate = text
    else:
        candidate = tuple(value) if np.iterable(value) else value
    try:
        return tuple(float(c) for c in to_rgb(candidate))
    except (ValueError, TypeError):
        raise InputError(
            f"{what} {value!r} is not a colour: use '#rrggbb', a name such as 'red', or three numbers in 0..1."
        ) from None


def _blend(stops, position):
    """Piecewise-linear blend of ``stops`` at fractional stop ``position`` (0..N-1)."""
    k = np.floor(position).astype(np.int64)
    k = np.clip(k, 0, len(stops) - 2)
    f = (position - k)[:, None]
    return (1.0 - f) * stops[k] + f * stops[k + 1]


def _as_stops(stops):
    array = np.array(
        [parse_color(c, what=f"Colour stop {i + 1}") for i, c in enumerate(stops)],
        dtype=np.float64,
    )
    if len(array) < 2:
        raise InputError(f"At least 2 colour stops are needed, got {len(array)}.")
    return array


def brainpainter_colors(values, stops=BRAINPAINTER_WEBSITE_STOPS) -> np.ndarray:
    """Colours by BrainPainter's formula (values in ``0..N-1``).

    Parameters
    ----------
    values : array_like of float
        One value per region; NaN gives NaN colours.
    stops : sequence of colours
        The N colour stops.

    Returns
    -------
    ndarray, shape (n, 3)

    Raises
    ------
    InputError
        If a value is negative.
    """
    stops = _as_stops(stops)
    values = np.asarray(values, dtype=np.float64).ravel()
    negative = np.flatnonzero(values < 0)
    if negative.size:
        raise InputError(
            f"BrainPainter colour mode needs values in 0..{len(stops) - 1}; "
            f"{negative.size} value(s) are negative (first: {values[negative[0]]:g})."
        )
    clamped = np.where(values >= len(stops) - 1, len(stops) - 1.01, values)
    colors = _blend(stops, np.nan_to_num(clamped))
    colors[np.isnan(values)] = np.nan
    return colors


def ramp_colors(fractions, stops):
    """Colours of an N-stop ramp at ``fractions`` in 0..1 (NaN stays NaN)."""
    stops = _as_stops(stops)
    fractions = np.asarray(fractions, dtype=np.float64).ravel()
    colors = _blend(stops, np.clip(np.nan_to_num(fractions), 0, 1) * (len(stops) - 1))
    colors[np.isnan(fractions)] = np.nan
    return colors


@dataclass(frozen=True)
class ColorScale:
    """A resolved mapping from data values to RGB.

    Parameters
    ----------
    vmin, vmax : float
        Data range (in ``brainpainter`` mode ``0`` and ``N - 1``).
    stops : tuple of str, optional
        Colour stops of the ramp; ignored when ``cmap`` is given.
    cmap : str, optional
        A matplotlib colormap name.
    center : float, optional
        Value mapped to the middle of the colours (diverging maps).
    mode : {"ramp", "brainpainter"}
    nodata_color : tuple of float
        RGB for NaN.
    """

    vmin: float
    vmax: float
    stops: tuple = DEFAULT_STOPS
    cmap: str | None = None
    center: float | None = None
    mode: str = "ramp"
    nodata_color: tuple = (0.62, 0.62, 0.62)

    def __post_init__(self):
        if self.mode not in _MODES:
            raise InputError(f"Colour mode must be one of {_MODES}, got {self.mode!r}.")
        if not (np.isfinite(self.vmin) and np.isfinite(self.vmax)) or self.vmax <= self.vmin:
            raise InputError(f"The colour range needs finite vmin < vmax, got vmin={self.vmin}, vmax={self.vmax}.")
        if self.center is not None and not self.vmin < self.center < self.vmax:
            raise InputError(f"center={self.center} must lie strictly between vmin={self.vmin} and vmax={self.vmax}.")
        if self.cmap is not None:
            _colormap(self.cmap)
        else:
            _as_stops(self.stops)

    def fractions(self, values) -> np.ndarray:
        """Position of ``values`` along the colours, 0..1 (clamped), NaN kept."""
        values = np.asarray(values, dtype=np.float64).ravel()
        if self.center is None:
            t = (values - self.vmin) / (self.vmax - self.vmin)
        else:
            below = 0.5 * (values - self.vmin) / (self.center - self.vmin)
            above = 0.5 + 0.5 * (values - self.center) / (self.vmax - self.center)
            t = np.where(values < self.center, below, above)
        return np.clip(t, 0.0, 1.0)

    def __call__(self, values) -> np.ndarray:
        """Map values to RGB, shape (n, 3); NaN gets :attr:`nodata_color`."""
        values = np.asarray(values, dtype=np.float64).ravel()
        if self.mode == "brainpainter":
            colors = brainpainter_colors(values, self.stops)
        elif self.cmap is not None:
            t = self.fractions(values)
            colors = _colormap(self.cmap)(np.nan_to_num(t))[:, :3]
            colors[np.isnan(t)] = np.nan
        else:
            colors = ramp_colors(self.fractions(values), self.stops)
        colors[np.isnan(values)] = self.nodata_color
        return colors

    def matplotlib(self, samples=512) -> tuple[Any, Any]:
        """Return ``(cmap, norm)`` drawing exactly this scale in a matplotlib colour bar."""
        from matplotlib.colors import ListedColormap, Normalize, TwoSlopeNorm

        if self.mode == "brainpainter":
            positions = np.linspace(self.vmin, self.vmax, samples)
            listed = ListedColormap(brainpainter_colors(positions, self.stops))
            return listed, Normalize(self.vmin, self.vmax)
        t = np.linspace(0, 1, samples)
        colors = _colormap(self.cmap)(t)[:, :3] if self.cmap else ramp_colors(t, self.stops)
        norm = (
            Normalize(self.vmin, self.vmax) if self.center is None else TwoSlopeNorm(self.center, self.vmin, self.vmax)
        )
        return ListedColormap(colors), norm


def _colormap(name):
    import matplotlib

    try:
        return matplotlib.colormaps[name]
    except KeyError:
        raise InputError(
            f"Unknown colormap {name!r}; use a matplotlib colormap name such as 'viridis' or 'RdBu_r'."
        ) from None
