"""Atomic file replacement: a crash or kill during a save leaves the previous file intact.

The bytes go to a temporary file in the target's own folder (so the final rename never
crosses file systems), are flushed and fsync'ed, and only then `os.replace` swaps the
temporary file onto the target in one step; the folder is fsync'ed too, so the rename
itself survives a power cut. A process killed mid-write leaves its partial temporary file
(`.<name>.<random>.tmp`) beside the target, which is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import BinaryIO, Callable


def is_path(f) -> bool:
    return isinstance(f, (str, bytes, os.PathLike))


def write(f, writer: Callable[[BinaryIO], None]) -> None:
    """Runs `writer(file)` against `f`: atomically for a path, directly for a file object.

    Args:
      f: a path (str, bytes or os.PathLike) or a writable binary file object. A file object
        is written in place from its current position and flushed, not closed.
      writer: writes the whole content to the binary file it is given.
    """
    if not is_path(f):
        if not hasattr(f, "write"):
            raise TypeError(f"f must be a path or a writable binary file object, got "
                            f"{type(f).__name__}")
        writer(f)
        if hasattr(f, "flush"):
            f.flush()
        return
    # Write through a symlink to the file it names, as open(path, "wb") would.
    target = os.path.realpath(os.fsdecode(f))
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):       # (torch's error, before any temporary file)
        parent = os.path.dirname(os.path.abspath(os.fsdecode(f)))
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    if os.path.isdir(target):           # (torch's open of it fails; nothing is written)
        raise RuntimeError(f"open file failed with strerror: Is a directory: {target!r}")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            writer(out)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _mode_for(target: str) -> int:
    """The permissions the target keeps, or those `open()` would give a new file (mkstemp
    makes its file private, 0o600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: str) -> None:
    # Not possible everywhere (Windows cannot open a folder); the replace already happened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
