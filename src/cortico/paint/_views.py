"""Named views and free cameras, and how a camera frames a set of points.

Axes are RAS millimetres (x right, y anterior, z superior). A camera looks at the
scene from the direction given by ``azimuth`` (degrees in the axial plane from +x,
i.e. 0 = from the right, 90 = from the front, 180 = from the left, 270 = from
behind) and ``elevation`` (90 = from above), the convention of matplotlib's
``view_init`` and nilearn. Framing depends only on the geometry given, never on the
painted values, so every row of a table lines up.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from cortico.exceptions import InputError

__all__ = [
    "View",
    "Camera",
    "BRAINPAINTER_VIEWS",
    "NAMED_VIEWS",
    "get_view",
    "frame_camera",
]

_CONTENTS = ("cortex", "glass", "subcortical")
_PROJECTIONS = ("orthographic", "perspective")
_HEMIS = ("lh", "rh")
_PERSPECTIVE_FOV_DEG = 30.0
_MARGIN = 1.04


@dataclass(frozen=True)
class View:
    """What to show and from where.

    Parameters
    ----------
    name : str
        Used in file names (``<view>_<image-name>.png``).
    azimuth, elevation : float
        Camera direction in degrees (see module docstring).
    zoom : float
        Magnification relative to the tight framing of the geometry.
    projection : {"orthographic", "perspective"}
    hemispheres : tuple of {"lh", "rh"}
        Hemispheres whose cortex (and subcortical structures) are shown.
    content : {"cortex", "glass", "subcortical"}
        ``cortex``: painted cortical surface; ``glass``: painted subcortical
        structures inside a translucent cortex; ``subcortical``: structures only.
    """

    name: str
    azimuth: float = 0.0
    elevation: float = 0.0
    zoom: float = 1.0
    projection: str = "orthographic"
    hemispheres: tuple = _HEMIS
    content: str = "cortex"

    def __post_init__(self):
        if self.projection not in _PROJECTIONS:
            raise InputError(f"View {self.name!r}: projection must be one of {_PROJECTIONS}, got {self.projection!r}.")
        if self.content not in _CONTENTS:
            raise InputError(f"View {self.name!r}: content must be one of {_CONTENTS}, got {self.content!r}.")
        if not self.hemispheres or any(h not in _HEMIS for h in self.hemispheres):
            raise InputError(f"View {self.name!r}: hemispheres must be a non-empty subset of {_HEMIS}.")
        if not (math.isfinite(self.zoom) and 0.05 <= self.zoom <= 20):
            raise InputError(f"View {self.name!r}: zoom must be between 0.05 and 20, got {self.zoom!r}.")
        for label, angle in (("azimuth", self.azimuth), ("elevation", self.elevation)):
            if not math.isfinite(angle):
                raise InputError(f"View {self.name!r}: {label} must be a finite number of degrees.")
        if not -90 <= self.elevation <= 90:
            raise InputError(f"View {self.name!r}: elevation must be between -90 and 90, got {self.elevation!r}.")

    @property
    def direction(self) -> np.ndarray:
        """Unit vector from the scene centre toward the camera."""
        az, el = math.radians(self.azimuth), math.radians(self.elevation)
        return np.array([math.cos(el) * math.cos(az), math.cos(el) * math.sin(az), math.sin(el)])

    @property
    def up(self) -> np.ndarray:
        """Screen-up vector: superior, or anterior when looking from above/below."""
        if abs(self.elevation) > 89.0:
            return np.array([0.0, 1.0, 0.0])
        return np.array([0.0, 0.0, 1.0])

    def to_spec(self) -> str:
        """Return the string that :func:`get_view` turns back into this view."""
        if NAMED_VIEWS.get(self.name) == self:
            return self.name
        return (
            f"camera:azimuth={self.azimuth:g},elevation={self.elevation:g},zoom={self.zoom:g},"
            f"projection={self.projection},hemispheres={'+'.join(self.hemispheres)},content={self.content}"
        )


_LEFT, _RIGHT = ("lh",), ("rh",)
BRAINPAINTER_VIEWS = (
    View("cortical-outer-left-hemisphere", azimuth=180, hemispheres=_LEFT),
    View("cortical-outer-right-hemisphere", azimuth=0, hemispheres=_RIGHT),
    View("cortical-inner-left-hemisphere", azimuth=0, hemispheres=_LEFT),
    View("cortical-inner-right-hemisphere", azimuth=180, hemispheres=_RIGHT),
    View("top", elevation=90),
    View("bottom", elevation=-90),
    View(
        "subcortical-outer-left-hemisphere",
        azimuth=160,
        elevation=20,
        projection="perspective",
        hemispheres=_LEFT,
        content="glass",
    ),
    View(
        "subcortical-outer-right-hemisphere",
        azimuth=20,
        elevation=20,
        projection="perspective",
        hemispheres=_RIGHT,
        content="glass",
    ),
    View("subcortical-top", elevation=90, content="subcortical"),
    View("subcortical-bottom", elevation=-90, content="subcortical"),
)
NAMED_VIEWS = {view.name: view for view in BRAINPAINTER_VIEWS}
NAMED_VIEWS["anterior"] = View("anterior", azimuth=90)
NAMED_VIEWS["posterior"] = View("posterior", azimuth=270)

_CAMERA_KEYS = {"azimuth", "elevation", "zoom", "projection", "hemispheres", "content"}


def get_view(spec) -> View:
    """Turn a view name, a ``camera:`` spec or a :class:`View` into a :class:`View`.

    Parameters
    ----------
    spec : str or View
        A name from :data:`NAMED_VIEWS`, or a free camera such as
        ``"camera:azimuth=30,elevation=20,zoom=1.2,projection=perspective"``
        (optional ``hemispheres=lh+rh`` and ``content=cortex|glass|subcortical``).

    Returns
    -------
    View
    """
    if isinstance(spec, View):
        return spec
    if not isinstance(spec, str):
        raise InputError(f"A view must be a name or a 'camera:...' string, got {type(spec).__name__}.")
    text = spec.strip()
    if text in NAMED_VIEWS:
        return NAMED_VIEWS[text]
    if not text.startswith("camera:"):
        names = ", ".join(sorted(NAMED_VIEWS))
        raise InputError(
            f"Unknown view {spec!r}. Known views: {names}; or a free 'camera:azimuth=..,elevation=..' view."
        )
    fields = {}
    for part in filter(None, text[len("camera:") :].split(",")):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in _CAMERA_KEYS:
            raise InputError(f"View {spec!r}: {part!r} is not one of {sorted(_CAMERA_KEYS)} written as key=value.")
        fields[key] = value.strip()
    kwargs = {}
    for key in ("azimuth", "elevation", "zoom"):
        if key in fields:
            try:
                kwargs[key] = float(fields[key])
            except ValueError:
                raise InputError(f"View {spec!r}: {key} must be a number, got {fields[key]!r}.") from None
    if "projection" in fields:
        kwargs["projection"] = fields["projection"]
    if "content" in fields:
        kwargs["content"] = fields["content"]
    if "hemispheres" in fields:
        kwargs["hemispheres"] = tuple(h for h in re.split(r"[+ ]", fields["hemispheres"]) if h)
    name = "camera-az{:g}-el{:g}-zoom{:g}".format(
        kwargs.get("azimuth", 0.0),
        kwargs.get("elevation", 0.0),
        kwargs.get("zoom", 1.0),
    )
    if kwargs.get("projection") == "perspective":
        name += "-persp"
    return View(name, **kwargs)


@dataclass(frozen=True)
class Camera:
    """View and projection matrices (column-vector convention, float32)."""

    view_matrix: np.ndarray
    projection_matrix: np.ndarray
    perspective: bool


def _look_at(eye, target, up):
    forward = target - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, up)
    right /= np.linalg.norm(right)
    true_up = np.cross(right, forward)
    matrix = np.eye(4)
    matrix[0, :3], matrix[1, :3], matrix[2, :3] = right, true_up, -forward
    matrix[:3, 3] = -matrix[:3, :3] @ eye
    return matrix


def frame_camera(view, points, aspect):
    """Place a camera for ``view`` so that ``points`` fill the image.

    Parameters
    ----------
    view : View
    points : ndarray, shape (n, 3)
        Geometry to frame (world coordinates, mm).
    aspect : float
        Image width / height.

    Returns
    -------
    Camera
    """
    points = np.asarray(points, dtype=np.float64)
    low, high = points.min(axis=0), points.max(axis=0)
    target = (low + high) / 2
    radius = max(float(np.linalg.norm(high - low)) / 2, 1e-3)
    distance = radius * 3.0
    eye = target + view.direction * distance
    view_matrix = _look_at(eye, target, view.up)
    cam = points @ view_matrix[:3, :3].T + view_matrix[:3, 3]
    depth = -cam[:, 2]
    near, far = max(depth.min() - radius * 0.05, 1e-3), depth.max() + radius * 0.05
    perspective = view.projection == "perspective"
    if perspective:
        sx, sy = cam[:, 0] / depth, cam[:, 1] / depth
    else:
        sx, sy = cam[:, 0], cam[:, 1]
    cx, cy = (sx.min() + sx.max()) / 2, (sy.min() + sy.max()) / 2
    half_h = max((sy.max() - sy.min()) / 2, (sx.max() - sx.min()) / 2 / aspect) * _MARGIN / view.zoom
    half_w = half_h * aspect
    left, right, bottom, top = cx - half_w, cx + half_w, cy - half_h, cy + half_h
    proj = np.zeros((4, 4))
    if perspective:
        # off-axis frustum: the window above is on the plane at unit distance
        left, right, bottom, top = (v * near for v in (left, right, bottom, top))
        proj[0, 0] = 2 * near / (right - left)
        proj[1, 1] = 2 * near / (top - bottom)
        proj[0, 2] = (right + left) / (right - left)
        proj[1, 2] = (top + bottom) / (top - bottom)
        proj[2, 2] = -(far + near) / (far - near)
        proj[2, 3] = -2 * far * near / (far - near)
        proj[3, 2] = -1.0
    else:
        proj[0, 0] = 2 / (right - left)
        proj[1, 1] = 2 / (top - bottom)
        proj[2, 2] = -2 / (far - near)
        proj[0, 3] = -(right + left) / (right - left)
        proj[1, 3] = -(top + bottom) / (top - bottom)
        proj[2, 3] = -(far + near) / (far - near)
        proj[3, 3] = 1.0
    return Camera(view_matrix.astype(np.float32), proj.astype(np.float32), perspective)
