"""torch.serialization.get_unsafe_globals_in_checkpoint: the pickle globals a checkpoint
names that a weights-only load would refuse, read statically (nothing is unpickled)."""

from __future__ import annotations

import _compat_pickle
import pickletools
import zipfile

from . import _native, _torch_format
from ._safe_globals import allowed

_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING",
               "BINSTRING", "STRING"}


def globals_in_pickle(data: bytes) -> set[str]:
    """"module.name" of each GLOBAL (and STACK_GLOBAL, from the two strings pushed or
    fetched from the memo before it) in a pickle."""
    found, strings, memo = set(), [], {}
    for op, arg, _ in pickletools.genops(data):
        name = op.name
        if name == "GLOBAL":
            module, _, qualname = arg.partition(" ")
            # (Python 2 names, as the unpickler's fix_imports reads them: protocol 2
            # writes builtins.int as __builtin__.long)
            if (module, qualname) in _compat_pickle.NAME_MAPPING:
                module, qualname = _compat_pickle.NAME_MAPPING[module, qualname]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
            found.add(f"{module}.{qualname}")
        elif name in _STRING_OPS:
            strings.append(arg)
        elif name == "MEMOIZE" and strings:
            memo[len(memo)] = strings[-1]
        elif name in ("BINPUT", "LONG_BINPUT", "PUT") and strings:
            memo[arg] = strings[-1]
        elif name in ("BINGET", "LONG_BINGET", "GET") and arg in memo:
            strings.append(memo[arg])
        elif name == "STACK_GLOBAL" and len(strings) >= 2:
            found.add(f"{strings[-2]}.{strings[-1]}")
    return found


def unsafe_globals(f) -> list[str]:
    """The globals of checkpoint `f` outside the weights-only allowlist (this library's
    rebuilders, containers and dtypes, and those marked with add_safe_globals)."""
    if not zipfile.is_zipfile(f):
        raise ValueError("Expected input to be a checkpoint returned by torch.save")
    if hasattr(f, "seek"):
        f.seek(0)
    with zipfile.ZipFile(f) as zf:
        if _native.is_native(zf):
            name = _native.PICKLE_ENTRY if _native.PICKLE_ENTRY in zf.NameToInfo else None
        else:
            prefix = _torch_format.find_prefix(zf)
            if prefix is None:
                raise ValueError("Expected input to be a checkpoint returned by torch.save")
            name = f"{prefix}/data.pkl"
        found = globals_in_pickle(zf.read(name)) if name is not None else set()
    safe = set(_torch_format.default_globals()) | set(allowed())
    return sorted(found - safe)
