"""cortico: brain painting and cortical patch alignment for neuroscientists.

The domain core (``cortico.atlases``, ``cortico.paint``, ``cortico.depth``,
``cortico.align``, ``cortico.images``) is plain Python on numpy/nibabel and can be
used without the web service. ``cortico.jobs``, ``cortico.web`` and ``cortico.cli``
are thin adapters around it.
"""

from cortico._version import __version__

__all__ = ["__version__", "create_app"]


def __getattr__(name):
    # `flask --app cortico ...` looks up `create_app` here; import the web adapter
    # only then, so that `import cortico` stays free of Flask for core users.
    if name == "create_app":
        from cortico.web import create_app

        return create_app
    raise AttributeError(f"module 'cortico' has no attribute {name!r}")
