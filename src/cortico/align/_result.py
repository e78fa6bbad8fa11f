"""The outcome of an alignment and how it is written to disk."""

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cortico.align._fields import sample, to_ants
from cortico.align._registration import write_itk_affine
from cortico.align._spaces import RAS_TO_LPS, apply_affine

if TYPE_CHECKING:
    import ants

# File names written by AlignmentResult.save, by role.
OUTPUT_FILES = {
    "resampled_image": "resampled.nii.gz",
    "affine": "incoming_to_template_affine.mat",
    "forward_warp": "forward_warp.nii.gz",
    "inverse_warp": "inverse_warp.nii.gz",
    "composite": "incoming_to_template_composite.h5",
    "report": "report.json",
}


@dataclass
class AlignmentResult:
    """A non-linear alignment of an incoming patch to the template.

    The total map from incoming to template is ``p -> matrix(psi(p))`` in incoming
    space, or ``x -> affine(x + forward_warp(x))`` in incoming LPS world: ITK
    fixed -> moving point-map direction, fixed = incoming, moving = template.

    Attributes
    ----------
    resampled_image : ants.ANTsImage
        The incoming image resampled on its own grid with the inverse warp, so that
        displaying it with the user's unchanged ``matrix`` shows it aligned.
    matrix : numpy.ndarray
        The user's 4x4 incoming-space -> template RAS affine (mm).
    incoming_space : str
        Convention of incoming-space coordinates (see ``cortico.align``).
    incoming_space_to_lps : numpy.ndarray
        4x4 incoming space -> incoming LPS world.
    affine : numpy.ndarray
        4x4 incoming LPS -> template LPS (the ITK affine written to disk).
    forward_warp, inverse_warp : numpy.ndarray
        ``(nx, ny, nz, 3)`` LPS displacement fields (mm) on the incoming grid.
    reference : ants.ANTsImage
        The incoming depth map (the fields' grid).
    report : dict
        Quality figures and timings, JSON-serialisable.
    """

    resampled_image: object
    matrix: np.ndarray
    incoming_space: str
    incoming_space_to_lps: np.ndarray
    affine: np.ndarray
    forward_warp: np.ndarray
    inverse_warp: np.ndarray
    reference: object
    report: dict = field(default_factory=dict)

    def map_to_template(self, incoming_points) -> np.ndarray:
        """Template RAS points (mm) matched to incoming-space points (n, 3)."""
        lps = apply_affine(self.incoming_space_to_lps, incoming_points)
        warped = lps + sample(self.forward_warp, self.reference, lps)
        return apply_affine(RAS_TO_LPS, apply_affine(self.affine, warped))

    def forward_warp_image(self) -> "ants.ANTsImage":
        """The forward warp as an ITK displacement field image."""
        return to_ants(self.forward_warp, self.reference)

    def inverse_warp_image(self) -> "ants.ANTsImage":
        """The inverse warp as an ITK displacement field image."""
        return to_ants(self.inverse_warp, self.reference)

    def save(self, folder) -> dict[str, str]:
        """Write every output into an existing folder.

        Files: ``resampled.nii.gz``; the ITK affine ``incoming_to_template_affine.mat``;
        ``forward_warp.nii.gz`` and ``inverse_warp.nii.gz`` (ITK displacement fields
        on the incoming grid); ``incoming_to_template_composite.h5`` (the affine
        after the forward warp, one ITK composite transform); ``report.json``. For
        antsApplyTransforms (a point goes through the listed transforms in order),
        template data maps onto the incoming grid with ``-r <incoming>
        -t forward_warp.nii.gz -t incoming_to_template_affine.mat`` or with the
        composite alone.

        Parameters
        ----------
        folder : str or os.PathLike
            Destination folder (chosen by the caller, not derived from user text).

        Returns
        -------
        dict
            Role -> absolute path, keys as in :data:`OUTPUT_FILES`.
        """
        import ants

        paths = {role: os.path.abspath(os.path.join(folder, name)) for role, name in OUTPUT_FILES.items()}
        ants.image_write(self.resampled_image, paths["resampled_image"])
        write_itk_affine(self.affine, paths["affine"])
        forward = self.forward_warp_image()
        ants.image_write(forward, paths["forward_warp"])
        ants.image_write(self.inverse_warp_image(), paths["inverse_warp"])
        affine = ants.read_transform(paths["affine"])
        composite = ants.compose_ants_transforms([ants.transform_from_displacement_field(forward), affine])
        ants.write_transform(composite, paths["composite"])
        with open(paths["report"], "w", encoding="utf-8") as stream:
            json.dump(self.report, stream, indent=2)
        return paths
