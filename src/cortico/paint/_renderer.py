"""Offscreen OpenGL renderer for meshes coloured per region.

Geometry (positions, normals, per-vertex region ids) is uploaded once per mesh and
kept in a small LRU cache; colours live in a lookup texture indexed by region id, so
re-colouring writes a few bytes and never re-uploads geometry. Region ids are
``flat``-interpolated: each triangle takes one region's colour, which keeps borders
crisp (no blending of neighbouring colours across a triangle).

The framebuffer holds premultiplied colour; :meth:`Renderer.render` returns it as
premultiplied RGBA and callers composite it over a background.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from cortico.exceptions import LimitExceededError
from cortico.paint._gl import get_context

__all__ = ["Renderer", "DrawItem", "MAX_IMAGE_SIZE", "get_renderer"]

MAX_IMAGE_SIZE = 4096
_SAMPLES = 4
_LUT_WIDTH = 1024
_CACHE_SIZE = 24

_VERTEX_SHADER = """
#version 330
uniform mat4 u_view;
uniform mat4 u_projection;
uniform vec3 u_offset;
in vec3 in_position;
in vec3 in_normal;
in int in_region;
out vec3 v_position;
out vec3 v_normal;
flat out int v_region;
void main() {
    vec4 position = u_view * vec4(in_position + u_offset, 1.0);
    v_position = position.xyz;
    v_normal = mat3(u_view) * in_normal;
    v_region = in_region;
    gl_Position = u_projection * position;
}
"""

_FRAGMENT_SHADER = """
#version 330
uniform sampler2D u_lut;
uniform bool u_perspective;
uniform bool u_glass;
uniform float u_opacity;
uniform vec3 u_glass_color;
in vec3 v_position;
in vec3 v_normal;
flat in int v_region;
out vec4 f_color;

const vec3 KEY = normalize(vec3(-0.35, 0.45, 1.0));
const vec3 FILL = normalize(vec3(0.65, -0.3, 0.7));
const float AMBIENT = 0.30;
const float KEY_DIFFUSE = 0.62;
const float FILL_DIFFUSE = 0.20;
const float SPECULAR = 0.13;
const float SHININESS = 36.0;

void main() {
    vec3 to_eye = u_perspective ? normalize(-v_position) : vec3(0.0, 0.0, 1.0);
    vec3 n = normalize(v_normal);
    float facing = dot(n, to_eye);
    if (facing < 0.0) n = -n;  // two-sided lighting, independent of triangle winding
    int index = v_region + 1;
    vec3 base = u_glass ? u_glass_color : texelFetch(u_lut, ivec2(index % 1024, index / 1024), 0).rgb;
    float diffuse = AMBIENT + KEY_DIFFUSE * max(dot(n, KEY), 0.0) + FILL_DIFFUSE * max(dot(n, FILL), 0.0);
    float specular = SPECULAR * pow(max(dot(n, normalize(KEY + to_eye)), 0.0), SHININESS);
    vec3 color = min(base * diffuse + specular, 1.0);
    float alpha = 1.0;
    if (u_glass) {
        // a glass look: faint where the surface faces the viewer, stronger at grazing angles
        float rim = pow(1.0 - abs(dot(n, to_eye)), 3.0);
        alpha = clamp(u_opacity + 0.35 * rim, 0.0, 1.0);
    }
    f_color = vec4(color * alpha, alpha);
}
"""


@dataclass
class DrawItem:
    """One mesh to draw.

    Parameters
    ----------
    key : hashable
        Identifies the geometry in the upload cache (same key = same arrays).
    vertices, faces, normals, regions : ndarray
        Geometry; ``regions`` is an int32 index into the colour table per vertex
        (-1 = medial wall).
    offset : ndarray, shape (3,)
        Translation applied when drawing (e.g. to separate inflated hemispheres).
    glass : bool
        Draw translucent, uncoloured, after the opaque items.
    owner : object
        Kept alive while the geometry is cached (guards against id reuse).
    """

    key: object
    vertices: np.ndarray
    faces: np.ndarray
    normals: np.ndarray
    regions: np.ndarray
    offset: np.ndarray = field(default_factory=lambda: np.zeros(3, dtype=np.float32))
    glass: bool = False
    owner: object = None


class _Uploaded:
    def __init__(self, ctx, program, item):
        vertices = np.ascontiguousarray(item.vertices, dtype=np.float32)
        normals = np.ascontiguousarray(item.normals, dtype=np.float32)
        self.geometry = ctx.buffer(np.hstack([vertices, normals]).astype(np.float32).tobytes())
        self.regions = ctx.buffer(np.ascontiguousarray(item.regions, dtype=np.int32).tobytes())
        self.indices = ctx.buffer(np.ascontiguousarray(item.faces, dtype=np.int32).tobytes())
        self.vao = ctx.vertex_array(
            program,
            [(self.geometry, "3f 3f", "in_position", "in_normal"), (self.regions, "i", "in_region")],
            self.indices,
            index_element_size=4,
        )
        self.owner = item.owner

    def release(self):
        for resource in (self.vao, self.geometry, self.regions, self.indices):
            resource.release()


class Renderer:
    """Draws :class:`DrawItem` lists into premultiplied RGBA images.

    Use :func:`get_renderer` for the process-wide instance.
    """

    def __init__(self, ctx=None):
        self.ctx = ctx or get_context()
        self.program = self.ctx.program(vertex_shader=_VERTEX_SHADER, fragment_shader=_FRAGMENT_SHADER)
        self.program["u_lut"] = 0
        self.lut = self.ctx.texture((_LUT_WIDTH, 1), 4, dtype="f4")
        self.lut.filter = (self.ctx.NEAREST, self.ctx.NEAREST)
        self._meshes = OrderedDict()
        self._targets = {}
        self.uploads = 0
        self._lock = threading.RLock()

    def _mesh(self, item):
        uploaded = self._meshes.get(item.key)
        if uploaded is None:
            uploaded = _Uploaded(self.ctx, self.program, item)
            self.uploads += 1
            self._meshes[item.key] = uploaded
            while len(self._meshes) > _CACHE_SIZE:
                self._meshes.popitem(last=False)[1].release()
        else:
            self._meshes.move_to_end(item.key)
        return uploaded

    def _target(self, size):
        target = self._targets.get(size)
        if target is None:
            for old in self._targets.values():
                for resource in old:
                    resource.release()
            self._targets.clear()
            ctx = self.ctx
            samples = min(_SAMPLES, ctx.max_samples)
            msaa = ctx.framebuffer(
                color_attachments=[ctx.renderbuffer(size, 4, samples=samples)],
                depth_attachment=ctx.depth_renderbuffer(size, samples=samples),
            )
            resolved = ctx.framebuffer(color_attachments=[ctx.renderbuffer(size, 4)])
            target = (msaa, resolved)
            self._targets[size] = target
        return target

    def _write_lut(self, colors):
        colors = np.asarray(colors, dtype=np.float32)
        rows = -(-len(colors) // _LUT_WIDTH)
        if (rows, _LUT_WIDTH) != (self.lut.height, self.lut.width):
            self.lut.release()
            self.lut = self.ctx.texture((_LUT_WIDTH, rows), 4, dtype="f4")
            self.lut.filter = (self.ctx.NEAREST, self.ctx.NEAREST)
        table = np.zeros((rows * _LUT_WIDTH, 4), dtype=np.float32)
        table[: len(colors), : colors.shape[1]] = colors
        table[:, 3] = 1.0
        self.lut.write(table.tobytes())

    def render(self, items, camera, size, colors, glass_color=(0.78, 0.80, 0.84), glass_opacity=0.1):
        """Draw ``items`` seen by ``camera`` into a premultiplied RGBA image.

        Parameters
        ----------
        items : list of DrawItem
        camera : Camera
        size : (int, int)
            Width and height in pixels, each at most :data:`MAX_IMAGE_SIZE`.
        colors : ndarray, shape (n + 1, 3)
            Row 0 colours region id -1 (medial wall), row ``i + 1`` region ``i``.
        glass_color : tuple of float
            RGB of translucent items.
        glass_opacity : float
            Opacity of translucent items where they face the viewer.

        Returns
        -------
        ndarray, shape (height, width, 4), uint8
            Premultiplied RGBA, top row first.
        """
        width, height = (int(v) for v in size)
        if not (1 <= width <= MAX_IMAGE_SIZE and 1 <= height <= MAX_IMAGE_SIZE):
            raise LimitExceededError(
                f"Image size {width}x{height} is outside 1..{MAX_IMAGE_SIZE} pixels per side."
            )
        # one GL context per process: serialise callers and make it current on this thread
        with self._lock, self.ctx:
            return self._render(items, camera, (width, height), colors, glass_color, glass_opacity)

    def _render(self, items, camera, size, colors, glass_color, glass_opacity):
        width, height = size
        ctx, program = self.ctx, self.program
        msaa, resolved = self._target((width, height))
        self._write_lut(colors)
        self.lut.use(0)
        msaa.use()
        msaa.depth_mask = True
        msaa.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)
        program["u_view"].write(np.ascontiguousarray(camera.view_matrix.T).tobytes())
        program["u_projection"].write(np.ascontiguousarray(camera.projection_matrix.T).tobytes())
        program["u_perspective"] = camera.perspective
        program["u_glass_color"] = tuple(float(c) for c in glass_color)
        program["u_opacity"] = float(glass_opacity)
        ctx.enable(ctx.DEPTH_TEST)
        ctx.disable(ctx.BLEND | ctx.CULL_FACE)
        program["u_glass"] = False
        for item in items:
            if not item.glass:
                program["u_offset"] = tuple(float(v) for v in item.offset)
                self._mesh(item).vao.render()
        glass = [item for item in items if item.glass]
        if glass:
            # back faces first, then front faces: correct order for a closed translucent
            # shell. Meshes are counter-clockwise seen from outside (cortico.atlases.Mesh),
            # so GL culling selects the faces without shading the others.
            ctx.enable(ctx.BLEND | ctx.CULL_FACE)
            ctx.front_face = "ccw"
            ctx.blend_func = ctx.ONE, ctx.ONE_MINUS_SRC_ALPHA
            msaa.depth_mask = False
            program["u_glass"] = True
            for culled in ("front", "back"):
                ctx.cull_face = culled
                for item in glass:
                    program["u_offset"] = tuple(float(v) for v in item.offset)
                    self._mesh(item).vao.render()
            msaa.depth_mask = True
            ctx.disable(ctx.BLEND | ctx.CULL_FACE)
        ctx.copy_framebuffer(resolved, msaa)
        data = resolved.read(components=4, alignment=1)
        image = np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)
        return image[::-1].copy()


_renderer = None
_renderer_lock = threading.Lock()


def get_renderer():
    """Return the process-wide :class:`Renderer` (created on first use, thread-safe)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = Renderer()
        return _renderer
