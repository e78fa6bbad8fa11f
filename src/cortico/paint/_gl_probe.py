"""Run as ``python -m cortico.paint._gl_probe``: exit 0 when EGL rendering works."""

import moderngl


def _probe():
    ctx = moderngl.create_standalone_context(backend="egl")
    if ctx.version_code < 330:
        raise SystemExit(f"OpenGL 3.3 is required, found {ctx.version_code}")
    fbo = ctx.simple_framebuffer((4, 4))
    fbo.use()
    fbo.clear(1.0, 0.0, 0.0, 1.0)
    if fbo.read(components=4)[:4] != b"\xff\x00\x00\xff":
        raise SystemExit("OpenGL clear test failed")
    ctx.release()


if __name__ == "__main__":
    _probe()
