"""torch._foreach_*: one operation over each tensor of a list (an optimizer's or an EMA's
parameters), with torch's argument forms and checks.

Each is the per-tensor op applied in a loop. Out-of-place forms return a tuple, in-place
ones (trailing `_`) update the tensors and return the list. PyTorch parity: torch fuses
the list into few kernels (on CUDA); here each tensor is its own op, or part of one XLA
program under functorch_like.compile. Gradients flow through the per-tensor ops, so
grad_fn names are theirs (MulBackward0, not ForeachMulBackward1Scalar).
"""

from __future__ import annotations

import numbers

from ._tensor import Tensor

_UNARY = ("abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp",
          "expm1", "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "neg",
          "reciprocal", "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "tan",
          "tanh", "trunc")
# name: (Tensor method, whether it takes alpha)
_BINARY = {"add": ("add", True), "sub": ("sub", True), "mul": ("mul", False),
           "div": ("div", False), "maximum": ("maximum", False),
           "minimum": ("minimum", False), "clamp_min": ("clamp_min", False),
           "clamp_max": ("clamp_max", False), "pow": ("pow", False)}


def _check_list(tensors) -> list:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("Tensor list must have at least one tensor.")
    return tensors


def _same_length(a: list, b) -> list:
    b = list(b)
    if len(b) != len(a):
        raise RuntimeError(f"Tensor lists must have the same number of tensors, got "
                           f"{len(a)} and {len(b)}")
    return b


def _per_tensor(name: str, tensors: list, other, alpha=None) -> list:
    """`other` as one value per tensor: a number or a tensor for all, or a list of
    numbers or of tensors."""
    if isinstance(other, (list, tuple)):
        if other and all(isinstance(o, numbers.Number) and not isinstance(o, Tensor)
                         for o in other):
            if len(other) != len(tensors):
                raise RuntimeError("Tensor list must have same number of elements as "
                                   "scalar list.")
            values = list(other)
        else:
            values = _same_length(tensors, other)
    else:
        values = [other] * len(tensors)
    if alpha is not None and not all(isinstance(v, Tensor) for v in values):
        raise TypeError(f"_foreach_{name}(): argument 'other' (position 2) must be tuple of "
                        f"Tensors, not {type(other).__name__}")
    return values


def _unary(name: str):
    def op(self):
        return tuple(getattr(t, name)() for t in _check_list(self))

    def op_(self):
        for t in _check_list(self):
            getattr(t, name + "_")()
        return self
    op.__doc__ = f"`t.{name}()` of each tensor (a tuple)."
    op_.__doc__ = f"`t.{name}_()` of each tensor, in place."
    return op, op_


_SCALAR_FORMS = {"maximum": "clamp_min", "minimum": "clamp_max"}


def _binary(name: str, method: str, takes_alpha: bool):
    def call(t, v, alpha, inplace):
        # (a number: torch's Scalar overloads of maximum/minimum are clamps, where
        # `t.maximum(number)` itself is refused)
        m = _SCALAR_FORMS.get(method, method) if isinstance(v, numbers.Number) else method
        fn = getattr(t, m + ("_" if inplace else ""))
        return fn(v, alpha=alpha) if alpha is not None else fn(v)

    def op(self, other, *, alpha=None):
        if not takes_alpha and alpha is not None:
            raise TypeError(f"_foreach_{name}() got an unexpected keyword argument 'alpha'")
        if name == "pow" and isinstance(self, numbers.Number):
            # (pow(scalar, list): the scalar to each tensor's power)
            return tuple(self ** t for t in _check_list(other))
        tensors = _check_list(self)
        values = _per_tensor(name, tensors, other, alpha if alpha not in (None, 1) else None)
        return tuple(call(t, v, alpha, False) for t, v in zip(tensors, values))

    def op_(self, other, *, alpha=None):
        if not takes_alpha and alpha is not None:
            raise TypeError(f"_foreach_{name}_() got an unexpected keyword argument 'alpha'")
        tensors = _check_list(self)
        values = _per_tensor(name, tensors, other, alpha if alpha not in (None, 1) else None)
        for t, v in zip(tensors, values):
            call(t, v, alpha, True)
        return self
    op.__doc__ = f"`t.{method}(other)` of each tensor; other a number, a tensor, or a " \
                 "list of numbers or of tensors (a tuple)."
    op_.__doc__ = f"`t.{method}_(other)` of each tensor, in place."
    return op, op_


def _lerp(self, tensors1, weight):
    """`torch.lerp(t, end, weight)` of each tensor; weight a number or a list of
    tensors."""
    tensors = _check_list(self)
    ends = _same_length(tensors, tensors1)
    weights = _per_tensor("lerp", tensors, weight)
    return tuple(t.lerp(e, w) for t, e, w in zip(tensors, ends, weights))


def _lerp_(self, tensors1, weight):
    tensors = _check_list(self)
    ends = _same_length(tensors, tensors1)
    for t, e, w in zip(tensors, ends, _per_tensor("lerp", tensors, weight)):
        t.lerp_(e, w)
    return self


def _pointwise(method: str):
    """addcmul/addcdiv: value a number, a list of numbers, or a 1-d tensor of one value
    per tensor."""
    def values_of(tensors, value):
        if isinstance(value, Tensor):
            if value.ndim != 1 or value.numel() != len(tensors):
                raise RuntimeError("Tensor list must have same number of elements as "
                                   "scalar list.")
            return value.tolist()
        return _per_tensor(method, tensors, value)

    def op(self, tensor1, tensor2, value=1):
        tensors = _check_list(self)
        t1, t2 = _same_length(tensors, tensor1), _same_length(tensors, tensor2)
        return tuple(getattr(t, method)(a, b, value=v) for t, a, b, v in
                     zip(tensors, t1, t2, values_of(tensors, value)))

    def op_(self, tensor1, tensor2, value=1):
        tensors = _check_list(self)
        t1, t2 = _same_length(tensors, tensor1), _same_length(tensors, tensor2)
        for t, a, b, v in zip(tensors, t1, t2, values_of(tensors, value)):
            getattr(t, method + "_")(a, b, value=v)
        return self
    op.__doc__ = f"`t.{method}(tensor1, tensor2, value=v)` of each tensor (a tuple)."
    op_.__doc__ = f"`t.{method}_(tensor1, tensor2, value=v)` of each tensor, in place."
    return op, op_


def _norm(self, ord=2, dtype=None):
    """The vector norm of each tensor (0-d tensors)."""
    from . import linalg
    return tuple(linalg.vector_norm(t, ord, dtype=dtype) for t in _check_list(self))


def _max(self):
    """The largest element of each tensor (0-d tensors)."""
    return tuple(t.max() for t in _check_list(self))


def _powsum(self, exponent):
    """sum(|t| ** exponent) of each tensor (0-d tensors)."""
    return tuple((t.abs() ** exponent).sum() for t in _check_list(self))


def _clone(self):
    """A copy of each tensor (a tuple)."""
    return tuple(t.clone() for t in _check_list(self))


def _copy_(self, src, non_blocking: bool = False):
    """Copies each `src` tensor into the matching tensor, in place."""
    tensors = _check_list(self)
    for t, s in zip(tensors, _same_length(tensors, src)):
        t.copy_(s)
    return self


def _zero_(self):
    """Zeros each tensor in place."""
    for t in _check_list(self):
        t.zero_()
    return self


def _mm(self, mat2):
    """`t.mm(m)` of each pair (a tuple)."""
    tensors = _check_list(self)
    return tuple(t.mm(m) for t, m in zip(tensors, _same_length(tensors, mat2)))


def functions() -> dict:
    """{"_foreach_add": ..., ...}: every torch._foreach_* function defined here."""
    out = {}
    for name in _UNARY:
        out[f"_foreach_{name}"], out[f"_foreach_{name}_"] = _unary(name)
    for name, (method, alpha) in _BINARY.items():
        out[f"_foreach_{name}"], out[f"_foreach_{name}_"] = _binary(name, method, alpha)
    for name in ("addcmul", "addcdiv"):
        out[f"_foreach_{name}"], out[f"_foreach_{name}_"] = _pointwise(name)
    out.update(_foreach_lerp=_lerp, _foreach_lerp_=_lerp_, _foreach_norm=_norm,
               _foreach_max=_max, _foreach_powsum=_powsum, _foreach_clone=_clone,
               _foreach_copy_=_copy_, _foreach_zero_=_zero_, _foreach_mm=_mm)
    return out
