"""torch.serialization's user allowlist for weights-only loads: `add_safe_globals`,
`get_safe_globals`, `clear_safe_globals` and the `safe_globals` context manager. A global
a PyTorch checkpoint names (`argparse.Namespace`, your dataclass) that is on the list is
resolved by a weights-only load instead of refused; nothing else changes."""

from __future__ import annotations

from typing import Any, Callable

_marked: set = set()


def add_safe_globals(safe_globals: list) -> None:
    """Marks the given globals (each a class or function, or a (global, "module.name")
    pair) as safe for a weights-only load."""
    global _marked
    _marked = _marked | set(safe_globals)


def get_safe_globals() -> list:
    """The globals marked safe so far."""
    return list(_marked)


def clear_safe_globals() -> None:
    """Forgets every global marked safe."""
    global _marked
    _marked = set()


def allowed() -> dict[str, Any]:
    """"module.qualname" -> the global, for the marked ones (torch's checks of a pair)."""
    out: dict[str, Callable] = {}
    for f in _marked:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full "
                                 f"path), but got tuple of length: {len(f)}")
            if type(f[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full "
                                f"path, but got: {type(f[1])}")
            out[f[1]] = f[0]
        else:
            out[f"{f.__module__}.{f.__qualname__}"] = f
    return out


class safe_globals:
    """Marks `safe_globals` safe inside the block only."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        global _marked
        self._saved = _marked
        _marked = _marked | set(self.safe_globals)

    def __exit__(self, *exc):
        global _marked
        _marked = self._saved
        return False
