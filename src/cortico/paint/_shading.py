"""Per-vertex folding and ambient occlusion, the two maps that make folds readable.

* **Folding** (0 on gyral crowns .. 1 in sulcal fundi) shades unpainted cortex
  (no data, medial wall) in two greys, as FreeSurfer, nilearn and surfplot
  figures do. On fsaverage it is FreeSurfer's own ``sulc`` map from the
  installed data (the same vertices on every surface kind, so inflated brains
  show the folds of the pial one); other meshes use their ambient occlusion.
* **Ambient occlusion** (0 open .. 1 hidden): the share of the sky a vertex sees,
  cosine weighted, measured by rendering depth maps of the mesh from
  :data:`_DIRECTIONS` directions on the GPU. Sulci see little sky and darken,
  on painted regions too. Baked once per mesh and cached on disk next to the
  atlas cache (``$CORTICO_CACHE_DIR/paint``), keyed by a hash of the geometry.
"""

import functools
import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

__all__ = ["folding_map", "mesh_occlusion"]

logger = logging.getLogger(__name__)

_DIRECTIONS = 48
_RESOLUTION = 384
_FORMAT = 1
_FSAVERAGE_VERTICES = 163842
# sulc (FreeSurfer units) over which the two greys blend: a soft step at 0
_FOLDING_SOFTNESS = 0.15
_OCCLUDED_FROM, _OCCLUDED_TO = 0.15, 0.5
_lock = threading.Lock()
_memory: dict = {}

_DEPTH_VERTEX = """
#version 330
uniform mat4 u_matrix;
in vec3 in_position;
void main() { gl_Position = u_matrix * vec4(in_position, 1.0); }
"""
_DEPTH_FRAGMENT = """
#version 330
out vec4 f_color;
void main() { f_color = vec4(1.0); }
"""


def _cache_root():
    root = os.environ.get("CORTICO_CACHE_DIR") or Path.home() / ".cache" / "cortico"
    return Path(root) / "paint"


def _fibonacci_sphere(count):
    index = np.arange(count) + 0.5
    z = 1.0 - 2.0 * index / count
    angle = np.pi * (1.0 + 5**0.5) * index
    radius = np.sqrt(1.0 - z**2)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle), z])


def _basis(direction):
    helper = np.array([0.0, 0.0, 1.0]) if abs(direction[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    right = np.cross(helper, direction)
    right /= np.linalg.norm(right)
    return right, np.cross(direction, right)


def _bake(ctx, vertices, faces, normals):
    """Open-sky fraction per vertex from depth maps seen along many directions."""
    vertices = np.asarray(vertices, dtype=np.float64)
    centre = (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    radius = float(np.linalg.norm(vertices - centre, axis=1).max()) * 1.02 + 1e-6
    program = ctx.program(vertex_shader=_DEPTH_VERTEX, fragment_shader=_DEPTH_FRAGMENT)
    buffer = ctx.buffer(np.ascontiguousarray(vertices, dtype=np.float32).tobytes())
    indices = ctx.buffer(np.ascontiguousarray(faces, dtype=np.int32).tobytes())
    vao = ctx.vertex_array(program, [(buffer, "3f", "in_position")], indices, index_element_size=4)
    depth = ctx.depth_texture((_RESOLUTION, _RESOLUTION))
    color = ctx.renderbuffer((_RESOLUTION, _RESOLUTION), 1)
    target = ctx.framebuffer(color_attachments=[color], depth_attachment=depth)
    seen = np.zeros(len(vertices))
    total = np.zeros(len(vertices))
    texel = 2.0 * radius / _RESOLUTION
    bias = 1.5 * texel
    try:
        target.use()
        ctx.enable(ctx.DEPTH_TEST)
        ctx.disable(ctx.CULL_FACE | ctx.BLEND)
        for direction in _fibonacci_sphere(_DIRECTIONS):
            right, up = _basis(direction)
            # orthographic camera on the sphere around the mesh, looking along -direction
            rows = np.array([right, up, direction])
            matrix = np.eye(4)
            matrix[:3, :3] = rows / radius
            matrix[:3, 3] = -(rows @ centre) / radius
            matrix[2, :] *= -1.0  # nearest to the camera (largest along direction) -> depth 0
            program["u_matrix"].write(np.ascontiguousarray(matrix.T, dtype=np.float32).tobytes())
            target.clear(depth=1.0)
            vao.render()
            image = np.frombuffer(depth.read(), dtype=np.float32).reshape(_RESOLUTION, _RESOLUTION)
            local = (vertices - centre) @ rows.T / radius
            column = np.clip(((local[:, 0] + 1) / 2 * _RESOLUTION).astype(int), 0, _RESOLUTION - 1)
            row = np.clip(((local[:, 1] + 1) / 2 * _RESOLUTION).astype(int), 0, _RESOLUTION - 1)
            vertex_depth = (1.0 - local[:, 2]) / 2
            # a 3x3 neighbourhood minimum would be stricter; the bias covers one texel of slope
            visible = vertex_depth <= image[row, column] + bias / (2 * radius)
            weight = np.clip(np.asarray(normals, dtype=np.float64) @ direction, 0.0, None)
            seen += weight * visible
            total += weight
    finally:
        for resource in (vao, target, color, depth, indices, buffer, program):
            resource.release()
    return np.where(total > 0, seen / np.maximum(total, 1e-12), 1.0)


def _write_atomic(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npy")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.save(stream, array)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def mesh_occlusion(vertices, faces, normals):
    """Ambient occlusion per vertex, 0 (open sky) .. 1 (hidden), cached on disk.

    Parameters
    ----------
    vertices, faces, normals : ndarray
        A closed mesh with outward unit normals.

    Returns
    -------
    ndarray, shape (n,), float32 (read-only)
    """
    digest = hashlib.sha1(np.ascontiguousarray(vertices, dtype=np.float32).tobytes())
    digest.update(np.ascontiguousarray(faces, dtype=np.int32).tobytes())
    key = f"occlusion-f{_FORMAT}-d{_DIRECTIONS}-r{_RESOLUTION}-{digest.hexdigest()[:20]}"
    with _lock:
        cached = _memory.get(key)
        if cached is not None:
            return cached
        path = _cache_root() / f"{key}.npy"
        occlusion = None
        if path.is_file():
            try:
                occlusion = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as exc:
                logger.warning("Rebaking unreadable occlusion cache %s (%s)", path, exc)
        if occlusion is None or occlusion.shape != (len(vertices),):
            from cortico.paint._renderer import get_renderer

            renderer = get_renderer()
            with renderer.lock, renderer.ctx:
                occlusion = (1.0 - _bake(renderer.ctx, vertices, faces, normals)).astype(np.float32)
            try:
                _write_atomic(path, occlusion)
            except OSError as exc:
                logger.warning("Cannot write occlusion cache %s (%s); keeping it in memory", path, exc)
        occlusion.flags.writeable = False
        _memory[key] = occlusion
        return occlusion


@functools.lru_cache(maxsize=4)
def _sulc(hemi):
    import nibabel.freesurfer

    from cortico.atlases._fsdata import fsaverage_file

    return nibabel.freesurfer.read_morph_data(str(fsaverage_file(f"surf/{hemi}.sulc"))).astype(np.float64)


def folding_map(atlas, hemi, n_vertices, occlusion=None):
    """Folding per vertex, 0 (gyral crown) .. 1 (sulcal fundus), or ``None``.

    fsaverage atlases use FreeSurfer's ``sulc`` (a soft step at 0); other meshes
    fall back to their ambient ``occlusion`` (a smooth step from 0.15 to 0.5).
    """
    if atlas.space == "fsaverage" and n_vertices == _FSAVERAGE_VERTICES:
        try:
            sulc = _sulc(hemi)
        except Exception as exc:  # missing data file: fall back to occlusion, say why
            logger.warning("No fsaverage sulc map for %s (%s); shading folds from occlusion", hemi, exc)
        else:
            if len(sulc) == n_vertices:
                return 0.5 + 0.5 * np.tanh(sulc / _FOLDING_SOFTNESS)
    if occlusion is None:
        return None
    # absolute scale: convex shapes (structures, blobs) stay "gyral", only real folds darken
    t = np.clip((np.asarray(occlusion, dtype=np.float64) - _OCCLUDED_FROM) / (_OCCLUDED_TO - _OCCLUDED_FROM), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
