"""The two ways a load fails: the file is damaged, or it asks for code we will not run."""

from __future__ import annotations

import os
import pickle


class CheckpointError(RuntimeError):
    """The file is not a readable checkpoint: truncated, corrupted, or of an unknown format.

    Raised before anything is returned, so a damaged file never gives a half-loaded result.
    `filename` names the file (or describes the file object) that failed.
    """

    def __init__(self, filename: str, reason: str):
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


class EmptyCheckpointError(CheckpointError, EOFError):
    """The file is empty (an EOFError too, as torch.load raises for one)."""


class NotACheckpointError(CheckpointError, pickle.UnpicklingError):
    """The file is neither a zip archive nor a pickle (an UnpicklingError too, as
    torch.load raises for one)."""


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A weights-only load met something it does not run: a pickle global outside the
    allowlist, or a file written with `save(..., allow_pickle=True)`.

    The refusal happens before the offending callable is looked up, so its payload never
    runs. `global_name` is the refused `module.name` (None for a pickle-format file).
    """

    def __init__(self, filename: str, message: str, global_name: str | None = None):
        super().__init__(f"{filename}: {message}")
        self.filename = filename
        self.global_name = global_name


def describe(f) -> str:
    """How an error names the file: the path, or the file object's name or type."""
    if isinstance(f, (str, bytes, os.PathLike)):
        return repr(os.fsdecode(f))
    name = getattr(f, "name", None)
    if isinstance(name, str):
        return repr(name)
    return f"<{type(f).__name__}>"
