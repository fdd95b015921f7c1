"""NumPy-style keyword names for the torch namespace and Tensor methods: `axis=` for
`dim=`, `keepdims=` for `keepdim=`, and, for torch.* functions, `x=`/`a=`/`x1=` for
`input=` and `x2=` for `other=`.

PyTorch parity: torch's generated bindings (its native functions, e.g. `torch.sum`,
`Tensor.mean`, `torch.cat`, `torch.softmax`) accept these aliases in the python argument
parser; the functions torch writes in Python (`torch.nn.functional.*`, `torch.norm`,
`torch.split`, `torch.unique`, `Tensor.unflatten`, ...) do not, so they are not wrapped.
An alias given together with its real name (`x.sum(0, axis=0)`, `dim=0, axis=0`) raises
torch's `TypeError: sum() got an unexpected keyword argument 'axis'` (torch words the
`input`-alias conflict as "received an invalid combination of arguments"; the type is
the same).
"""

from __future__ import annotations

import functools
import inspect

_ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input",
            "x1": "input", "x2": "other"}
_INPUT_ALIASES = frozenset({"x", "a", "x1", "x2"})   # a method's input is `self`

# Python functions in torch 2.13 (no alias parsing there), by name.
_PYTHON_IN_TORCH = frozenset({"norm", "split", "unique", "unique_consecutive"})
_PYTHON_METHODS_IN_TORCH = _PYTHON_IN_TORCH | {"unflatten"}


def _plan(fn, method: bool):
    """(alias -> real name, real name -> positional index) for `fn`, or None when it has
    no `dim`/`keepdim` parameter or already takes `axis`."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None
    if not ({"dim", "keepdim"} & params.keys()) or "axis" in params:
        return None
    renames = {alias: real for alias, real in _ALIASES.items()
               if real in params and alias not in params
               and not (method and alias in _INPUT_ALIASES)}
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    positions = {p.name: i for i, p in enumerate(params.values()) if p.kind in positional}
    return renames, positions


def _renamed(name: str, renames: dict, positions: dict, args: tuple, kwargs: dict) -> dict:
    for alias, real in renames.items():
        if alias in kwargs:
            if real in kwargs or len(args) > positions.get(real, len(args)):
                raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
            kwargs[real] = kwargs.pop(alias)
    return kwargs


def _wrap(fn, name: str, plan):
    renames, positions = plan
    keys = frozenset(renames)

    @functools.wraps(fn)
    def with_aliases(*args, **kwargs):
        # The common call has no alias: one check, then the function itself.
        if kwargs and not keys.isdisjoint(kwargs):
            kwargs = _renamed(name, renames, positions, args, kwargs)
        return fn(*args, **kwargs)
    return with_aliases


def install(namespace: dict, tensor_cls: type) -> None:
    """Rebinds, in place, the torch-namespace functions (`namespace`: the package's
    globals) and the Tensor methods that take `dim`/`keepdim` to alias-accepting ones."""
    for name, fn in list(namespace.items()):
        if name.startswith("_") or name in _PYTHON_IN_TORCH or not inspect.isfunction(fn):
            continue
        plan = _plan(fn, method=False)
        if plan is not None and plan[0]:
            namespace[name] = _wrap(fn, name, plan)
    plans = {}
    for name, fn in list(vars(tensor_cls).items()):
        if name.startswith("_") or name in _PYTHON_METHODS_IN_TORCH or not inspect.isfunction(
                fn):
            continue
        plan = _plan(fn, method=True)
        if plan is not None and plan[0]:
            plans[name] = plan
            setattr(tensor_cls, name, _wrap(fn, name, plan))
    # In-place variants (`cumsum_`, `index_add_`) take *args: use their base's parameters.
    for name, plan in plans.items():
        inplace = vars(tensor_cls).get(name + "_")
        if inspect.isfunction(inplace) and name + "_" not in plans:
            setattr(tensor_cls, name + "_", _wrap(inplace, name + "_", plan))
