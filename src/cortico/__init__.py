"""cortico: brain painting and cortical patch alignment for neuroscientists.

The domain core (``cortico.atlases``, ``cortico.paint``, ``cortico.depth``,
``cortico.align``, ``cortico.images``) is plain Python on numpy/nibabel and can be
used without the web service. ``cortico.jobs``, ``cortico.web`` and ``cortico.cli``
are thin adapters around it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
