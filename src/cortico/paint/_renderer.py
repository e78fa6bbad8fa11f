"""Offscreen OpenGL renderer for meshes coloured per region.

Geometry (positions, normals, per-vertex region ids) is uploaded once per mesh and
kept in a small LRU cache; colours live in a lookup texture indexed by region id, so
re-colouring writes a few bytes and never re-uploads geometry. The region is
picked per fragment from interpolated border-class weights (:mod:`._borders`), so
region borders are smooth curves inside triangles, anti-aliased over one pixel,
and colours never bleed further than that.

The framebuffer holds premultiplied colour; :meth:`Renderer.render` returns it as
premultiplied RGBA and callers composite it over a background.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from cortico.exceptions import InputError, LimitExceededError
from cortico.paint._borders import ABSENT, MAX_CLASSES, border_attributes
from cortico.paint._gl import get_context

__all__ = ["ANTIALIAS_MODES", "Renderer", "DrawItem", "MAX_IMAGE_SIZE", "get_renderer"]

MAX_IMAGE_SIZE = 4096
_SAMPLES = 4
_LUT_WIDTH = 1024
_CACHE_SIZE = 24
# Brightness of unpainted surface (no data, medial wall) on gyri and in sulci,
# relative to its configured grey: two greys that show the folding pattern; and
# of painted colours in sulci (gyri keep the colour bar's colour): a light touch
# that keeps the folds readable on inflated surfaces, where occlusion is small.
FOLDING_TONES = (1.12, 0.78, 0.88)

# Lighting is evaluated per vertex (Gouraud): fsaverage triangles cover ~2-3 pixels
# at 1200x900, so per-pixel lighting would look the same and cost far more in a
# software rasteriser. Two programs share the vertex buffers: triangles inside a
# region take its colour flat (cheap); triangles near a border pick the region per
# fragment (see _borders.py), which costs more varyings per triangle.
_LIGHTING = """
#version 330
uniform mat4 u_view;
uniform mat4 u_projection;
uniform vec3 u_offset;
uniform bool u_perspective;
uniform bool u_glass;
uniform float u_opacity;
uniform vec2 u_depth;  // NDC depth scale and offset: glass brains split the depth range
in vec3 in_position;
in vec3 in_normal;
in vec2 in_shade;
// (diffuse, specular, alpha for glass or folding 0 gyrus..1 sulcus otherwise)
out vec3 v_light;

// Matte material: a key light from the upper front left, a weak fill, a broad
// faint highlight. Ambient occlusion (per vertex, baked) darkens sulci.
const vec3 KEY = normalize(vec3(-0.35, 0.45, 1.0));
const vec3 FILL = normalize(vec3(0.65, -0.3, 0.7));
const float AMBIENT = 0.34;
const float KEY_DIFFUSE = 0.58;
const float FILL_DIFFUSE = 0.18;
const float SPECULAR = 0.05;
const float SHININESS = 12.0;
const float OCCLUSION = 0.75;

void light() {
    vec4 position = u_view * vec4(in_position + u_offset, 1.0);
    gl_Position = u_projection * position;
    gl_Position.z = gl_Position.z * u_depth.x + u_depth.y * gl_Position.w;
    vec3 to_eye = u_perspective ? normalize(-position.xyz) : vec3(0.0, 0.0, 1.0);
    vec3 n = normalize(mat3(u_view) * in_normal);
    float facing = dot(n, to_eye);
    if (facing < 0.0) n = -n;  // two-sided lighting
    float open = mix(1.0, in_shade.y, OCCLUSION);
    float diffuse = open * (AMBIENT + KEY_DIFFUSE * max(dot(n, KEY), 0.0) + FILL_DIFFUSE * max(dot(n, FILL), 0.0));
    float specular = open * SPECULAR * pow(max(dot(n, normalize(KEY + to_eye)), 0.0), SHININESS);
    // glass: faint where the surface faces the viewer, stronger at grazing angles
    float alpha = clamp(u_opacity + 0.85 * pow(1.0 - abs(facing), 2.0), 0.0, 1.0);
    v_light = vec3(diffuse, specular, u_glass ? alpha : in_shade.x);
}
"""

_FLAT_VERTEX_SHADER = (
    _LIGHTING
    + """
uniform sampler2D u_lut;
in int in_region;
flat out vec4 v_entry;
void main() {
    light();
    int index = in_region + 1;
    v_entry = texelFetch(u_lut, ivec2(index % 1024, index / 1024), 0);
}
"""
)

_BORDER_VERTEX_SHADER = (
    _LIGHTING
    + """
in vec4 in_weights0;
in vec4 in_weights1;
in ivec4 in_slots0;
in ivec4 in_slots1;
out vec4 v_weights0;
out vec4 v_weights1;
flat out ivec4 v_slots0;
flat out ivec4 v_slots1;
void main() {
    light();
    v_weights0 = in_weights0;
    v_weights1 = in_weights1;
    v_slots0 = in_slots0;
    v_slots1 = in_slots1;
}
"""
)

# LUT alpha 0 marks unpainted entries (no data, medial wall): shaded light on gyri
# and dark in sulci, two greys that show the folding pattern.
_COLORING = """
#version 330
uniform sampler2D u_lut;
uniform bool u_glass;
uniform vec3 u_glass_color;
uniform vec3 u_folding_tones;  // unpainted on gyri, unpainted in sulci, painted in sulci
in vec3 v_light;
out vec4 f_color;

vec3 tone(vec4 entry) {
    float gyrus = entry.a > 0.5 ? 1.0 : u_folding_tones.x;
    float sulcus = entry.a > 0.5 ? u_folding_tones.z : u_folding_tones.y;
    return entry.rgb * mix(gyrus, sulcus, v_light.z);
}

vec3 base(int region) {
    int index = region + 1;
    return tone(texelFetch(u_lut, ivec2(index % 1024, index / 1024), 0));
}

void shade(vec3 color) {
    float alpha = u_glass ? v_light.z : 1.0;
    color = min((u_glass ? u_glass_color : color) * v_light.x + v_light.y, 1.0);
    f_color = vec4(color * alpha, alpha);
}
"""

_FLAT_FRAGMENT_SHADER = (
    _COLORING
    + """
flat in vec4 v_entry;
void main() {
    shade(tone(v_entry));
}
"""
)

# The class with the largest interpolated weight names the region; where the two
# largest weights are equal lies the border, and over one pixel around it (fwidth)
# the two colours are mixed: analytic anti-aliasing.
_BORDER_FRAGMENT_SHADER = (
    _COLORING
    + """
in vec4 v_weights0;
in vec4 v_weights1;
flat in ivec4 v_slots0;
flat in ivec4 v_slots1;

// keep the two largest weights and their regions (no arrays: llvmpipe would spill them)
void take(float w, int region, inout float w1, inout int r1, inout float w2, inout int r2) {
    if (region < -1) return;
    if (w > w1) { w2 = w1; r2 = r1; w1 = w; r1 = region; }
    else if (w > w2) { w2 = w; r2 = region; }
}

void main() {
    float w1 = -1.0, w2 = -1.0;
    int r1 = -1, r2 = -2;
    take(v_weights0.x, v_slots0.x, w1, r1, w2, r2);
    take(v_weights0.y, v_slots0.y, w1, r1, w2, r2);
    take(v_weights0.z, v_slots0.z, w1, r1, w2, r2);
    take(v_weights0.w, v_slots0.w, w1, r1, w2, r2);
    take(v_weights1.x, v_slots1.x, w1, r1, w2, r2);
    take(v_weights1.y, v_slots1.y, w1, r1, w2, r2);
    take(v_weights1.z, v_slots1.z, w1, r1, w2, r2);
    take(v_weights1.w, v_slots1.w, w1, r1, w2, r2);
    float gap = w1 - max(w2, 0.0);
    float cover = clamp(0.5 + gap / max(fwidth(gap), 1e-5), 0.0, 1.0);
    vec3 color = base(r1);
    if (r2 >= -1 && cover < 1.0) color = mix(base(r2), color, cover);
    shade(color);
}
"""
)


# Fast approximate antialiasing (after Lottes' FXAA): one pass over the image, used
# instead of 4x MSAA when speed matters more than the last bit of edge quality.
_QUAD_VERTEX_SHADER = """
#version 330
out vec2 v_uv;
void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_uv = corner;
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
"""

_FXAA_SHADER = """
#version 330
uniform sampler2D u_color;
uniform vec2 u_texel;
in vec2 v_uv;
out vec4 f_color;
const vec3 LUMA = vec3(0.299, 0.587, 0.114);
const float REDUCE_MIN = 1.0 / 128.0;
const float REDUCE_MUL = 1.0 / 8.0;
const float SPAN_MAX = 8.0;

float luma_at(vec2 offset) {
    vec4 c = texture(u_color, v_uv + offset * u_texel);
    return dot(c.rgb, LUMA) + c.a;  // alpha counts: silhouettes over transparent backgrounds
}

void main() {
    vec4 center = texture(u_color, v_uv);
    float nw = luma_at(vec2(-1.0, -1.0)), ne = luma_at(vec2(1.0, -1.0));
    float sw = luma_at(vec2(-1.0, 1.0)), se = luma_at(vec2(1.0, 1.0));
    float m = dot(center.rgb, LUMA) + center.a;
    float lo = min(m, min(min(nw, ne), min(sw, se)));
    float hi = max(m, max(max(nw, ne), max(sw, se)));
    vec2 dir = vec2(-((nw + ne) - (sw + se)), (nw + sw) - (ne + se));
    float reduce = max((nw + ne + sw + se) * 0.25 * REDUCE_MUL, REDUCE_MIN);
    float scale = 1.0 / (min(abs(dir.x), abs(dir.y)) + reduce);
    dir = clamp(dir * scale, -SPAN_MAX, SPAN_MAX) * u_texel;
    vec4 a = 0.5 * (texture(u_color, v_uv + dir * (1.0 / 3.0 - 0.5))
                    + texture(u_color, v_uv + dir * (2.0 / 3.0 - 0.5)));
    vec4 b = 0.5 * a + 0.25 * (texture(u_color, v_uv - dir * 0.5) + texture(u_color, v_uv + dir * 0.5));
    float lb = dot(b.rgb, LUMA) + b.a;
    f_color = (lb < lo || lb > hi) ? a : b;
}
"""

ANTIALIAS_MODES = ("msaa", "fxaa", "none")


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
    folding : ndarray, shape (n,), optional
        0 (gyral crown) .. 1 (sulcal fundus): shades unpainted regions in two greys.
    occlusion : ndarray, shape (n,), optional
        Ambient occlusion 0 (open) .. 1 (hidden), darkens every colour.
    """

    key: object
    vertices: np.ndarray
    faces: np.ndarray
    normals: np.ndarray
    regions: np.ndarray
    offset: np.ndarray = field(default_factory=lambda: np.zeros(3, dtype=np.float32))
    glass: bool = False
    owner: object = None
    folding: np.ndarray | None = None
    occlusion: np.ndarray | None = None


def _signed_volume(vertices, faces):
    """Volume enclosed by a closed mesh; negative when its faces are clockwise from outside."""
    a, b, c = (vertices[faces[:, i]].astype(np.float64) for i in range(3))
    return float(np.einsum("ij,ij->", a, np.cross(b, c))) / 6.0


def _border_arrays(item):
    """(weights uint8 (n, 8), slots int16 (n, 8), border-face mask) of an item."""
    regions = np.asarray(item.regions, dtype=np.int32)
    faces = np.asarray(item.faces)
    if not item.glass and np.unique(regions).size > 1:
        weights, slots = border_attributes(regions, faces)
        if weights is not None:
            pure = (weights.max(axis=1) == 255) & (np.count_nonzero(weights, axis=1) == 1)
            return weights, slots, ~pure[faces].all(axis=1)
    # one region, glass, or too many regions meeting: colour per vertex
    weights = np.zeros((len(regions), MAX_CLASSES), dtype=np.uint8)
    weights[:, 0] = 255
    slots = np.full((len(regions), MAX_CLASSES), ABSENT, dtype=np.int16)
    slots[:, 0] = regions
    return weights, slots, np.zeros(len(faces), dtype=bool)


def _shade_array(item):
    """(n, 2) uint8: folding (0 gyrus .. 1 sulcus) and openness (1 = unoccluded)."""
    n = len(item.vertices)
    folding = np.zeros(n) if item.folding is None else np.asarray(item.folding, dtype=np.float64)
    openness = np.ones(n) if item.occlusion is None else 1.0 - np.asarray(item.occlusion, dtype=np.float64)
    return np.rint(np.clip(np.column_stack([folding, openness]), 0.0, 1.0) * 255).astype(np.uint8)


class _Uploaded:
    def __init__(self, ctx, programs, item):
        vertices = np.ascontiguousarray(item.vertices, dtype=np.float32)
        normals = np.ascontiguousarray(item.normals, dtype=np.float32)
        faces = np.ascontiguousarray(item.faces, dtype=np.int32)
        weights, slots, border = _border_arrays(item)
        if _signed_volume(vertices, faces) < 0:  # wound clockwise from outside: flip for culling
            faces = np.ascontiguousarray(faces[:, ::-1])
        self.buffers = [
            ctx.buffer(np.hstack([vertices, normals]).astype(np.float32).tobytes()),
            ctx.buffer(_shade_array(item).tobytes()),
            ctx.buffer(np.ascontiguousarray(item.regions, dtype=np.int32).tobytes()),
            ctx.buffer(np.ascontiguousarray(weights).tobytes()),
            ctx.buffer(np.ascontiguousarray(slots).tobytes()),
        ]
        geometry, shade, regions, weights_buffer, slots_buffer = self.buffers
        common = [(geometry, "3f 3f", "in_position", "in_normal"), (shade, "2f1", "in_shade")]
        self.vaos = []
        for program, extra, chosen in (
            (programs[0], [(regions, "i", "in_region")], faces[~border]),
            (
                programs[1],
                [
                    (weights_buffer, "4f1 4f1", "in_weights0", "in_weights1"),
                    (slots_buffer, "4i2 4i2", "in_slots0", "in_slots1"),
                ],
                faces[border],
            ),
        ):
            if len(chosen):
                indices = ctx.buffer(np.ascontiguousarray(chosen).tobytes())
                self.buffers.append(indices)
                self.vaos.append(ctx.vertex_array(program, common + extra, indices, index_element_size=4))
        self.owner = item.owner

    def render(self):
        for vao in self.vaos:
            vao.render()

    def release(self):
        for resource in self.vaos + self.buffers:
            resource.release()


class Renderer:
    """Draws :class:`DrawItem` lists into premultiplied RGBA images.

    Use :func:`get_renderer` for the process-wide instance.
    """

    def __init__(self, ctx=None):
        self.ctx = ctx or get_context()
        self.programs = (
            self.ctx.program(vertex_shader=_FLAT_VERTEX_SHADER, fragment_shader=_FLAT_FRAGMENT_SHADER),
            self.ctx.program(vertex_shader=_BORDER_VERTEX_SHADER, fragment_shader=_BORDER_FRAGMENT_SHADER),
        )
        for program in self.programs:
            program["u_lut"] = 0
            program["u_folding_tones"] = FOLDING_TONES
            program["u_depth"] = (1.0, 0.0)
        self.lut = self.ctx.texture((_LUT_WIDTH, 1), 4, dtype="f4")
        self.lut.filter = (self.ctx.NEAREST, self.ctx.NEAREST)
        self.fxaa = self.ctx.program(vertex_shader=_QUAD_VERTEX_SHADER, fragment_shader=_FXAA_SHADER)
        self.fxaa["u_color"] = 1
        self.quad = self.ctx.vertex_array(self.fxaa, [])
        self._meshes = OrderedDict()
        self._targets = {}
        self.uploads = 0
        self._lock = threading.RLock()

    @property
    def lock(self):
        """The re-entrant lock that serialises use of the GL context."""
        return self._lock

    def _mesh(self, item):
        uploaded = self._meshes.get(item.key)
        if uploaded is None:
            uploaded = _Uploaded(self.ctx, self.programs, item)
            self.uploads += 1
            self._meshes[item.key] = uploaded
            while len(self._meshes) > _CACHE_SIZE:
                self._meshes.popitem(last=False)[1].release()
        else:
            self._meshes.move_to_end(item.key)
        return uploaded

    def _target(self, size, antialias):
        """(scene framebuffer, output framebuffer, scene colour texture or None)."""
        key = (size, antialias)
        target = self._targets.get(key)
        if target is None:
            for old in self._targets.values():
                for resource in dict.fromkeys(r for r in old if r is not None):
                    resource.release()
            self._targets.clear()
            ctx = self.ctx
            output = ctx.framebuffer(color_attachments=[ctx.renderbuffer(size, 4)])
            if antialias == "none":
                scene = ctx.framebuffer(
                    color_attachments=[ctx.renderbuffer(size, 4)],
                    depth_attachment=ctx.depth_renderbuffer(size),
                )
                output.release()
                output, texture = scene, None
            elif antialias == "msaa":
                samples = min(_SAMPLES, ctx.max_samples)
                scene = ctx.framebuffer(
                    color_attachments=[ctx.renderbuffer(size, 4, samples=samples)],
                    depth_attachment=ctx.depth_renderbuffer(size, samples=samples),
                )
                texture = None
            else:
                texture = ctx.texture(size, 4)
                texture.filter = (ctx.LINEAR, ctx.LINEAR)
                texture.repeat_x = texture.repeat_y = False
                scene = ctx.framebuffer(
                    color_attachments=[texture],
                    depth_attachment=ctx.depth_renderbuffer(size),
                )
            target = self._targets[key] = (scene, output, texture)
        return target

    def _draw(self, items):
        for item in items:
            self._uniforms(u_offset=tuple(float(v) for v in item.offset))
            self._mesh(item).render()

    def _depth_only(self, items):
        ctx = self.ctx
        ctx.enable(ctx.BLEND)
        ctx.blend_func = ctx.ZERO, ctx.ONE  # keep the colour, write depth
        self._draw(items)
        ctx.blend_func = ctx.ONE, ctx.ONE_MINUS_SRC_ALPHA

    def _draw_glass_brain(self, target, opaque, glass):
        """Structures inside one translucent layer of cortex, depth-aware.

        Only the nearest glass layer is drawn (a depth pre-pass), so folds seen
        edge-on do not pile up into dark bands: the outline is the silhouette and
        the large features (smoothed normals, see _scene.py). The structures are
        then drawn opaque over it, in the front half of the depth range (so the
        glass depth never hides them, while they still hide each other): the glass
        never draws lines across them.
        """
        ctx = self.ctx
        target.depth_mask = True
        self._uniforms(u_glass=True, u_depth=(0.5, 0.5))  # glass: back half of the depth range
        self._depth_only(glass)
        ctx.depth_func = "<="
        target.depth_mask = False
        self._draw(glass)
        if opaque:
            target.depth_mask = True
            self._uniforms(u_glass=False, u_depth=(0.5, -0.5))
            ctx.depth_func = "<"
            ctx.disable(ctx.BLEND)
            self._draw(opaque)
        self._uniforms(u_depth=(1.0, 0.0))
        ctx.depth_func = "<"
        target.depth_mask = True

    def _uniforms(self, **values):
        for program in self.programs:
            for name, value in values.items():
                if isinstance(value, bytes):
                    program[name].write(value)
                else:
                    program[name] = value

    def _write_lut(self, colors):
        colors = np.asarray(colors, dtype=np.float32)
        rows = -(-len(colors) // _LUT_WIDTH)
        if (rows, _LUT_WIDTH) != (self.lut.height, self.lut.width):
            self.lut.release()
            self.lut = self.ctx.texture((_LUT_WIDTH, rows), 4, dtype="f4")
            self.lut.filter = (self.ctx.NEAREST, self.ctx.NEAREST)
        table = np.ones((rows * _LUT_WIDTH, 4), dtype=np.float32)
        table[: len(colors), : colors.shape[1]] = colors
        self.lut.write(table.tobytes())

    def render(
        self,
        items,
        camera,
        size,
        colors,
        glass_color=(0.78, 0.80, 0.84),
        glass_opacity=0.1,
        antialias="fxaa",
        background=None,
    ):
        """Draw ``items`` seen by ``camera`` into a premultiplied RGBA image.

        Parameters
        ----------
        items : list of DrawItem
        camera : Camera
        size : (int, int)
            Width and height in pixels, each at most :data:`MAX_IMAGE_SIZE`.
        colors : ndarray, shape (n + 1, 3) or (n + 1, 4)
            Row 0 colours region id -1 (medial wall), row ``i + 1`` region ``i``.
            A fourth column 0 marks unpainted entries (no data, medial wall):
            they are shaded by the items' folding map in two greys.
        glass_color : tuple of float
            RGB of translucent items.
        glass_opacity : float
            Opacity of translucent items where they face the viewer.
        antialias : {"fxaa", "msaa", "none"}
            4x multisampling (best edges), one FXAA pass (about 2x faster on a
            software rasteriser), or none (jagged edges; thumbnails).
        background : tuple of float, optional
            Opaque RGB background drawn behind the scene.

        Returns
        -------
        ndarray, shape (height, width, 4), uint8
            Top row first: premultiplied RGBA without ``background``, else the
            scene over the background with alpha 255.
        """
        if antialias not in ANTIALIAS_MODES:
            raise InputError(f"antialias must be one of {ANTIALIAS_MODES}, got {antialias!r}.")
        width, height = (int(v) for v in size)
        if not (1 <= width <= MAX_IMAGE_SIZE and 1 <= height <= MAX_IMAGE_SIZE):
            raise LimitExceededError(f"Image size {width}x{height} is outside 1..{MAX_IMAGE_SIZE} pixels per side.")
        # one GL context per process: serialise callers and make it current on this thread
        with self._lock, self.ctx:
            return self._render(
                items,
                camera,
                (width, height),
                colors,
                glass_color,
                glass_opacity,
                antialias,
                background,
            )

    def _render(
        self,
        items,
        camera,
        size,
        colors,
        glass_color,
        glass_opacity,
        antialias,
        background,
    ):
        width, height = size
        ctx = self.ctx
        msaa, resolved, texture = self._target((width, height), antialias)
        self._write_lut(colors)
        self.lut.use(0)
        msaa.use()
        msaa.depth_mask = True
        # premultiplied blending over an opaque clear colour equals compositing afterwards
        clear = (0.0, 0.0, 0.0, 0.0) if background is None else (*(float(c) for c in background), 1.0)
        msaa.clear(*clear, depth=1.0)
        self._uniforms(
            u_view=np.ascontiguousarray(camera.view_matrix.T).tobytes(),
            u_projection=np.ascontiguousarray(camera.projection_matrix.T).tobytes(),
            u_perspective=camera.perspective,
            u_glass_color=tuple(float(c) for c in glass_color),
            u_opacity=float(glass_opacity),
        )
        # Closed meshes, counter-clockwise from outside (faces flipped at upload when a
        # mesh is wound the other way): faces turned away are hidden, skip them.
        ctx.enable(ctx.DEPTH_TEST | ctx.CULL_FACE)
        ctx.disable(ctx.BLEND)
        ctx.front_face = "ccw"
        ctx.cull_face = "back"
        opaque = [item for item in items if not item.glass]
        glass = [item for item in items if item.glass]
        if glass:
            self._draw_glass_brain(msaa, opaque, glass)
        else:
            self._uniforms(u_glass=False)
            self._draw(opaque)
        ctx.disable(ctx.BLEND | ctx.CULL_FACE)
        if antialias == "msaa":
            ctx.copy_framebuffer(resolved, msaa)
        elif antialias == "fxaa":
            ctx.disable(ctx.DEPTH_TEST)
            resolved.use()
            texture.use(1)
            self.fxaa["u_texel"] = (1.0 / width, 1.0 / height)
            self.quad.render(ctx.TRIANGLES, vertices=3)
        data = resolved.read(components=4, alignment=1)
        image = np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)[::-1].copy()
        if background is not None:
            image[..., 3] = 255
        return image


_renderer = None
_renderer_lock = threading.Lock()


def get_renderer():
    """Return the process-wide :class:`Renderer` (created on first use, thread-safe)."""
    global _renderer
    with _renderer_lock:
        context = get_context()  # raises in a child forked after the parent rendered
        if _renderer is None:
            _renderer = Renderer(context)
        return _renderer
