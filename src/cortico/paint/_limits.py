"""Configured limits of one painting job (the ``PAINT_MAX_*`` settings)."""

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from cortico.exceptions import Problem

__all__ = ["PaintLimits"]


@dataclass(frozen=True)
class PaintLimits:
    """Configured limits of one painting job (see the ``PAINT_*`` settings)."""

    max_upload_bytes: int = 5 * 1024 * 1024
    max_rows: int = 500
    max_columns: int = 2000
    max_images: int = 2000
    max_side: int = 4096
    max_movie_frames: int = 600

    @classmethod
    def from_settings(cls, settings: Mapping) -> "PaintLimits":
        """Read the limits from cortico settings (``PAINT_MAX_*`` keys)."""
        return cls(
            max_upload_bytes=int(settings.get("PAINT_MAX_UPLOAD_BYTES") or cls.max_upload_bytes),
            max_rows=int(settings.get("PAINT_MAX_ROWS") or cls.max_rows),
            max_columns=int(settings.get("PAINT_MAX_COLUMNS") or cls.max_columns),
            max_images=int(settings.get("PAINT_MAX_IMAGES") or cls.max_images),
            max_side=int(settings.get("PAINT_MAX_SIDE") or cls.max_side),
            max_movie_frames=int(settings.get("PAINT_MAX_MOVIE_FRAMES") or cls.max_movie_frames),
        )

    @classmethod
    def local(cls) -> "PaintLimits":
        """Limits for painting on one's own machine (``cortico paint``): only the image side is bounded."""
        unbounded = sys.maxsize
        return cls(unbounded, unbounded, unbounded, unbounded, cls.max_side, unbounded)

    def upload_problem(self, size: int) -> Problem | None:
        """A limit Problem when an upload of ``size`` bytes is too large, else None."""
        if size > self.max_upload_bytes:
            # uploads are read only up to one byte past the limit: the true size is unknown
            return Problem(
                f"The values table is larger than {_megabytes(self.max_upload_bytes)}, the largest this server "
                "accepts. Split it into several jobs.",
                field="table",
                limit=True,
            )
        return None

    def problems(self, settings, rows: int) -> list[Problem]:
        """Problems of a job of ``rows`` rows painted with ``settings`` (PaintSettings)."""
        found = []
        for name in ("width", "height"):
            value = getattr(settings, name)
            if value > self.max_side:
                found.append(
                    Problem(
                        f"The image {name} is {value} pixels; this server paints at most "
                        f"{self.max_side} pixels per side.",
                        field=name,
                    )
                )
        if rows > self.max_rows:
            found.append(
                Problem(
                    f"The table has {rows} data rows; this server paints at most {self.max_rows} rows per job. "
                    "Split the table into several jobs.",
                    field="table",
                    limit=True,
                )
            )
        images = rows * len(settings.views)
        if images > self.max_images:
            found.append(
                Problem(
                    f"{rows} rows x {len(settings.views)} views make {images} images; this server paints at most "
                    f"{self.max_images} images per job. Choose fewer views or split the table.",
                    field="views",
                    limit=True,
                )
            )
        if settings.movie:
            frames = rows + max(rows - 1, 0) * settings.movie_steps
            if frames > self.max_movie_frames:
                found.append(
                    Problem(
                        f"The movie would have {frames} frames ({rows} rows and {settings.movie_steps} frames between "
                        f"rows); at most {self.max_movie_frames} are allowed. Use fewer in-between frames.",
                        field="movie_steps",
                        limit=True,
                    )
                )
        return found


def _megabytes(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"
