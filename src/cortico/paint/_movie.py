"""Movies (MP4, GIF) from rendered frames, each with a caption and the colour bar."""

from pathlib import Path

import numpy as np

from cortico.exceptions import DependencyError

__all__ = ["compose_frame", "interpolate_rows", "write_movie"]


def interpolate_rows(rows, steps):
    """Frames between consecutive rows of values.

    Parameters
    ----------
    rows : list of (str, ndarray)
        ``(caption, values)`` per row; values are aligned per region.
    steps : int
        Frames inserted between two rows (0 = rows only).

    Returns
    -------
    list of (str, ndarray)
        Captions of inserted frames read ``"a → b"``; a region with no data in either
        row has no data in the frames between them.
    """
    frames = []
    for index, (caption, values) in enumerate(rows):
        frames.append((caption, np.asarray(values, dtype=np.float64)))
        if index + 1 < len(rows) and steps:
            next_caption, next_values = rows[index + 1]
            for step in range(1, steps + 1):
                f = step / (steps + 1)
                frames.append(
                    (
                        f"{caption} → {next_caption}",
                        (1 - f) * values + f * np.asarray(next_values),
                    )
                )
    return frames


def _font(size):
    from matplotlib import font_manager
    from PIL import ImageFont

    # matplotlib ships DejaVu Sans, which has the arrows and accents captions need
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return ImageFont.truetype(path, size)


def compose_frame(image, caption, colorbar):
    """Stack caption, brain image (over white) and colour bar into one RGB frame.

    Parameters
    ----------
    image : ndarray, shape (h, w, 4), uint8
    caption : str
    colorbar : ndarray, shape (hb, w, 4), uint8, optional

    Returns
    -------
    ndarray, shape (H, W, 3), uint8 with even H and W (needed by H.264)
    """
    from PIL import Image, ImageDraw

    height, width = image.shape[:2]
    caption_h = max(24, height // 14)
    bar_h = 0 if colorbar is None else colorbar.shape[0]
    total_h = caption_h + height + bar_h
    canvas = Image.new("RGB", (width + width % 2, total_h + total_h % 2), "white")
    brain = Image.fromarray(image, "RGBA")
    canvas.paste(brain, (0, caption_h), brain)
    if colorbar is not None:
        bar = Image.fromarray(colorbar, "RGBA")
        canvas.paste(bar, ((width - bar.width) // 2, caption_h + height), bar)
    draw = ImageDraw.Draw(canvas)
    font = _font(int(caption_h * 0.7))
    draw.text(
        (width / 2, caption_h * 0.55),
        caption,
        fill=(20, 20, 20),
        font=font,
        anchor="mm",
    )
    return np.asarray(canvas)


def write_movie(frames, path, fps):
    """Write RGB frames to ``path`` (``.mp4`` with H.264, or ``.gif``).

    Parameters
    ----------
    frames : list of ndarray
        Same-sized RGB uint8 frames.
    path : str or Path
    fps : float
    """
    import imageio.v2 as imageio

    path = Path(path)
    if path.suffix == ".gif":
        from PIL import Image

        # dithered palettes: shaded surfaces band badly with GIF's 256 colours otherwise
        pictures = [
            Image.fromarray(frame).quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
            for frame in frames
        ]
        pictures[0].save(
            path,
            save_all=True,
            append_images=pictures[1:],
            duration=int(round(1000 / fps)),
            loop=0,
            optimize=False,
        )
        return
    try:
        writer = imageio.get_writer(
            path,
            fps=fps,
            codec="libx264",
            quality=8,
            pixelformat="yuv420p",
            macro_block_size=2,
            ffmpeg_log_level="error",
        )
    except (ImportError, RuntimeError) as exc:
        raise DependencyError(f"Cannot write MP4 ({exc}); install the imageio-ffmpeg package.") from exc
    with writer:
        for frame in frames:
            writer.append_data(frame)
