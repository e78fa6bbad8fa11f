"""The version of cortico (kept apart so that importing it imports nothing else)."""

__version__ = "0.1.0"
