"""The legacy tensor types: `torch.FloatTensor`, `torch.LongTensor`, ...

Old scripts still build tensors with them (`torch.LongTensor(batch, n)`,
`torch.FloatTensor([1, 2])`), convert with `x.type(torch.FloatTensor)` or
`x.type("torch.DoubleTensor")`, and test `isinstance(x, torch.LongTensor)`. Each type is
an instance of `tensortype`, as in PyTorch: calling it makes a tensor of its dtype, and
`isinstance` compares the dtype.
"""

from __future__ import annotations

from . import _dtypes
from ._tensor import Size, Tensor


class tensortype(type):
    """The metaclass of the legacy types (PyTorch's `torch.tensortype`)."""

    dtype: _dtypes.dtype

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args, device=None):
        """`T()` -> empty (0,); `T(*sizes)` / `T(torch.Size)` -> that shape (PyTorch
        parity: PyTorch leaves the memory uninitialized; here it is zeros); `T(data)` ->
        `torch.tensor(data, dtype=T.dtype)`; `T(tensor)` -> that tensor, which must
        already have the type's dtype."""
        from . import _factories
        if not args:
            return _factories.empty(0, dtype=cls.dtype, device=device)
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args) or (
                len(args) == 1 and isinstance(args[0], Size)):
            shape = tuple(args[0]) if isinstance(args[0], Size) else args
            return _factories.zeros(*shape, dtype=cls.dtype, device=device)
        if len(args) == 1:
            data = args[0]
            if isinstance(data, Tensor):
                if data.dtype != cls.dtype:
                    raise TypeError(f"expected {cls.__name__} (got "
                                    f"{data.type().rsplit('.', 1)[-1]})")
                return data
            if isinstance(data, (int, float, bool, complex)):
                raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
            return _factories.tensor(data, dtype=cls.dtype, device=device)
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)})")

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _make(name: str, dtype) -> tensortype:
    return tensortype(name, (), {"dtype": dtype, "__module__": "torch"})


FloatTensor = _make("FloatTensor", _dtypes.float32)
DoubleTensor = _make("DoubleTensor", _dtypes.float64)
HalfTensor = _make("HalfTensor", _dtypes.float16)
BFloat16Tensor = _make("BFloat16Tensor", _dtypes.bfloat16)
ByteTensor = _make("ByteTensor", _dtypes.uint8)
CharTensor = _make("CharTensor", _dtypes.int8)
ShortTensor = _make("ShortTensor", _dtypes.int16)
IntTensor = _make("IntTensor", _dtypes.int32)
LongTensor = _make("LongTensor", _dtypes.int64)
BoolTensor = _make("BoolTensor", _dtypes.bool)

_BY_NAME = {f"torch.{t.__name__}": t for t in (
    FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, ByteTensor, CharTensor,
    ShortTensor, IntTensor, LongTensor, BoolTensor)}


def dtype_of(spec) -> _dtypes.dtype:
    """The dtype that `Tensor.type(spec)` converts to: a dtype, a legacy type or its name
    ("torch.FloatTensor"; "torch.cuda.FloatTensor" is accepted for the same dtype)."""
    if isinstance(spec, tensortype):
        return spec.dtype
    if isinstance(spec, str):
        t = _BY_NAME.get(spec.replace("torch.cuda.", "torch.", 1))
        if t is None:
            raise ValueError(f"invalid type: '{spec}'")
        return t.dtype
    if isinstance(spec, type):      # (a Python type, `float`: torch parses it as a name)
        name = spec.__qualname__ if spec.__module__ == "builtins" else \
            f"{spec.__module__}.{spec.__qualname__}"
        raise ValueError(f"invalid type: '{name}'")
    if not isinstance(spec, _dtypes.dtype):
        raise TypeError("dtype must be a type, str, or dtype object")
    return spec
