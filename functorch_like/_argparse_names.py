"""The type names in PyTorch's argument-parser errors ("must be Tensor, not X").

torch's C++ parser prints `Py_TYPE(obj)->tp_name`: for a type written in C that is the
dotted name (`numpy.ndarray`, `torch.dtype`; builtins bare: `int`, `list`, a class object
is `type`), for a class defined in Python it is the bare class name (`Linear`). That
differs from `torch.typename` (`typename` in _tensor.py), which names Python classes with
their module.
"""

from __future__ import annotations

_HEAPTYPE = 1 << 9      # Py_TPFLAGS_HEAPTYPE: the type was created by a class statement

# Classes that are Python here but C types in torch, under torch's tp_name.
_TORCH_C_TYPES = {"dtype": "torch.dtype", "device": "torch.device", "Size": "torch.Size",
                  "Generator": "torch._C.Generator"}


def argparse_typename(obj) -> str:
    """`tp_name` of `type(obj)` as torch's argument parser reports it."""
    cls = type(obj)
    module = cls.__module__ or ""
    if module.split(".")[0] == "functorch_like" and cls.__name__ in _TORCH_C_TYPES:
        return _TORCH_C_TYPES[cls.__name__]
    if cls.__flags__ & _HEAPTYPE or module == "builtins":
        return cls.__name__
    return f"{module}.{cls.__qualname__}"
