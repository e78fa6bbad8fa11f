"""Package attributes imported from their submodule on first use (PEP 562)."""

import importlib
from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, homes: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public names live in submodules.

    ``homes`` maps each public name to the submodule (relative, e.g. ``"_engine"``)
    that defines it. A name is imported when first read and then cached in the
    package, so a light caller does not pay for the heavy submodules it never uses.
    """
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> object:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return __getattr__, __dir__
