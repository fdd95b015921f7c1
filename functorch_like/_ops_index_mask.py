"""Boolean-mask indexing with a traced mask (compile, jit, a backward replayed under jit).

A mask's count of Trues decides the shape of `x[mask]`, so with a traced mask that read
has no static shape. A mask *write* always has one: `y[mask] = v` is `where(mask, v, y)`
when `v` broadcasts to one selected element (a number, a 0-d or 1-element tensor, or a
tensor over the dims after the mask), which is how custom backwards and training steps
write through masks (`grad_input[input < 0] = 0`, `y[mask2d] = 0` over leading dims,
`y[:, mask] = 0`, `masked_fill_`).

`x[mask]` itself gives a `MaskedSelection`: the unselected region with the mask, which
supports arithmetic with numbers, 0-d tensors and other selections through the same mask,
and can be written back through that mask. So `y[mask] += 1` (Python reads `y[mask]`,
adds, writes it back) and `y[mask] = x[mask] * 2` lower to `where` too. Any other use of it
raises a ValueDependentError (a TypeError) that names the operation and the alternatives.

Eager indexing with a concrete mask never comes here (`_ops_index._parse` turns such a
mask into index arrays, as before).
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from ._ops_index_key import as_tuple, basic_entry
from ._tensor import Tensor, apply
from .pure._errors import ValueDependentError

_READ_MESSAGE = (
    "x[mask] with a traced boolean mask (inside functorch_like.compile, jax.jit, or a custom "
    "autograd.Function run under jit) has a shape that depends on the mask's values, so {what}"
    " is not supported there. Writes through the mask work: `y[mask] = value`, "
    "`y[mask] += value`, `y[mask] = x[mask] * 2` with the same mask tensor, "
    "`y.masked_fill_(mask, value)`; for a read use `torch.where(mask, x, y)` or "
    "`x.masked_fill(~mask, 0).sum()`, or move it outside the traced code")


class TracedMask(ValueDependentError):
    """`_parse` met a traced boolean mask; `getitem`/`setitem` route the index here."""


def _is_mask(item) -> bool:
    value = item._value if isinstance(item, Tensor) else item
    return isinstance(value, jax.core.Tracer) and value.dtype in (jnp.bool_, jnp.uint8)


def _region(shape: tuple, index) -> tuple:
    """(mask Tensor, region spec, p, k): the index with the traced mask replaced by k full
    slices (k = mask.ndim) selects the region, in whose dims [p, p + k) the mask lies.
    Spec items: ('i', int), ('s', start, stop, step), ('n',), ('e',) (hashable)."""
    items = as_tuple(index)
    masks = [i for i, item in enumerate(items) if _is_mask(item)]
    if len(masks) != 1 or not builtins.all(
            k in masks or item is None or item is Ellipsis or isinstance(item, slice)
            or (isinstance(item, (builtins.int, np.integer))
                and not isinstance(item, builtins.bool))
            for k, item in enumerate(items)):
        raise ValueDependentError(
            "indexing with a traced boolean mask together with other index tensors, bools or "
            "a second mask has a shape that depends on the mask's values; only ints, slices, "
            "None and ... may go with one traced mask (inside functorch_like.compile, jax.jit)"
            ". Use torch.where(mask, value, y) instead")
    mask = items[masks[0]]
    mask = mask if isinstance(mask, Tensor) else Tensor._make(mask)
    if mask._value.dtype != jnp.bool_:     # a byte mask (deprecated in PyTorch)
        mask = Tensor._make(mask._value.astype(jnp.bool_))
    k = mask.ndim
    consumed = builtins.sum(k if i in masks else 0 if item is None or item is Ellipsis else 1
                            for i, item in enumerate(items))
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    spec, p, dim = [], None, 0
    for i, item in enumerate(items):
        if i in masks:
            p = builtins.sum(1 for s in spec if s[0] in "sn") + \
                (len(shape) - consumed if any(s[0] == "e" for s in spec) else 0)
            mask_shape = tuple(shape[dim:dim + k])
            if tuple(mask.shape) != mask_shape:
                bad = next(j for j, (a, b) in enumerate(zip(mask.shape, mask_shape)) if a != b)
                raise IndexError(f"The shape of the mask {list(mask.shape)} at index {bad} "
                                 "does not match the shape of the indexed tensor "
                                 f"{list(shape)} at index {dim + bad}")
            spec.extend([("s", None, None, None)] * k)
            dim += k
        elif (basic := basic_entry(item, len(shape) - consumed)) is not None:
            spec.append(basic[0])
            dim += basic[1]
        else:
            if not -shape[dim] <= item < shape[dim]:
                raise IndexError(f"index {item} is out of bounds for dimension {dim} with size "
                                 f"{shape[dim]}")
            spec.append(("i", builtins.int(item)))
            dim += 1
    return mask, tuple(spec), p, k


def _built(spec) -> tuple:
    return tuple(slice(*s[1:]) if s[0] == "s" else None if s[0] == "n" else
                 Ellipsis if s[0] == "e" else s[1] for s in spec)


def _whole(spec) -> bool:
    """Whether the region is the whole tensor (the plain `y[mask]` case)."""
    return builtins.all(s == ("s", None, None, None) or s == ("e",) for s in spec)


def refuse(what: str):
    """Raises the ValueDependentError for a use (`what`) of a traced-mask selection."""
    raise ValueDependentError(_READ_MESSAGE.format(what=what))


class MaskedSelection:
    """`x[mask]` for a traced mask: `full` is x's region (the mask's dims not yet
    collapsed) and `mask` the mask over region dims [p, p + k). Arithmetic applies to
    `full`, so writing the result back through the same mask writes exactly the selected
    elements' new values. Any other use raises a ValueDependentError. `mask` is the mask's
    array as read: the same array (not an equal one, which a trace cannot tell) must
    select the write, and a mask tensor changed in place since no longer matches."""

    __slots__ = ("full", "mask", "p", "k")

    def __init__(self, full, mask, p, k):
        self.full, self.mask, self.p, self.k = full, mask, p, k

    def __getattr__(self, name):
        raise ValueDependentError(_READ_MESSAGE.format(what=f"`.{name}` of it"))

    def __repr__(self):
        return "<x[mask] with a traced mask>"

    def _unsupported(name):
        def method(self, *args):
            raise ValueDependentError(_READ_MESSAGE.format(what=f"`{name}` of it"))
        method.__name__ = name
        return method

    # (Python looks dunder methods up on the type, past __getattr__.)
    for _name in ("__bool__", "__len__", "__iter__", "__jax_array__", "__array__",
                  "__float__", "__int__", "__index__", "__getitem__", "__setitem__",
                  "__lt__", "__le__", "__gt__", "__ge__", "__matmul__", "__rmatmul__",
                  "__abs__", "__invert__", "__and__", "__or__"):
        locals()[_name] = _unsupported(_name)
    del _name, _unsupported

    def _operand(self, other, op):
        if isinstance(other, MaskedSelection):
            if other.mask is not self.mask or (other.p, other.k) != (self.p, self.k) or \
                    tuple(other.full.shape) != tuple(self.full.shape):
                raise ValueDependentError(_READ_MESSAGE.format(
                    what=f"`{op}` of selections through different mask tensors"))
            return other.full
        post = self.full.ndim - self.p - self.k
        if isinstance(other, (builtins.int, builtins.float, builtins.complex, builtins.bool)):
            return other
        if isinstance(other, Tensor) and other.ndim <= post:
            return other        # (aligns with the dims after the mask in both shapes)
        raise ValueDependentError(_READ_MESSAGE.format(
            what=f"`{op}` with a {type(other).__name__}"
                 + (f" of shape {list(other.shape)}" if isinstance(other, Tensor) else "")))

    def _binary(self, other, op, fn):
        return MaskedSelection(fn(self.full, self._operand(other, op)), self.mask, self.p,
                               self.k)

    def __add__(self, o): return self._binary(o, "+", lambda a, b: a + b)
    def __radd__(self, o): return self._binary(o, "+", lambda a, b: b + a)
    def __sub__(self, o): return self._binary(o, "-", lambda a, b: a - b)
    def __rsub__(self, o): return self._binary(o, "-", lambda a, b: b - a)
    def __mul__(self, o): return self._binary(o, "*", lambda a, b: a * b)
    def __rmul__(self, o): return self._binary(o, "*", lambda a, b: b * a)
    def __truediv__(self, o): return self._binary(o, "/", lambda a, b: a / b)
    def __rtruediv__(self, o): return self._binary(o, "/", lambda a, b: b / a)
    def __pow__(self, o): return self._binary(o, "**", lambda a, b: a ** b)

    def __neg__(self):
        return MaskedSelection(-self.full, self.mask, self.p, self.k)


def masked_read(input, index) -> MaskedSelection:
    """`input[index]` where the index holds a traced boolean mask (see the module doc)."""
    from ._ops_index import getitem
    mask, spec, p, k = _region(tuple(input.shape), index)
    full = input if _whole(spec) else getitem(input, _built(spec))
    return MaskedSelection(full, mask._value, p, k)


def _f_mask_write(x, v, mask, *, spec, p, k, vshape, accumulate):
    whole = _whole(spec)
    sub = x if whole else x[_built(spec)]
    v = jnp.asarray(v).astype(x.dtype)
    if vshape is not None:
        v = v.reshape(vshape)
    m = mask.reshape(mask.shape + (1,) * (sub.ndim - p - k))
    new = jnp.where(m, sub + v if accumulate else v, sub)
    return new if whole else x.at[_built(spec)].set(new)


def _value_shape(value, region: tuple, p: int, k: int):
    """The value's shape in region form (the selected dim spread over the mask's k dims),
    or None for a number; raises PyTorch's shape mismatch, or a ValueDependentError for a
    value with one entry per selected element (its count is the mask's)."""
    if not isinstance(value, Tensor):
        return None
    from ._ops_index import _strip_leading_ones
    selected = region[:p] + ("?",) + region[p + k:]
    vshape = _strip_leading_ones(value.shape)
    padded = (1,) * (len(selected) - len(vshape)) + vshape
    if len(vshape) > len(selected) or builtins.any(
            v != t and v != 1 for v, t in zip(padded, selected) if t != "?"):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be "
                           "broadcast to indexing result of shape "
                           f"[{', '.join(str(t) for t in selected)}]")
    if padded[p] != 1:
        raise ValueDependentError(
            f"y[mask] = value with a value of shape {list(value.shape)} (one entry per selected"
            " element) needs concrete mask values, since the number of selected elements "
            "depends on them (inside functorch_like.compile, jax.jit); use "
            "y = torch.where(mask, x, y) with x of y's shape, or y[mask] = x[mask] with the "
            "same mask tensor")
    return padded[:p] + (1,) * k + padded[p + 1:]


def masked_write(input, index, value, accumulate: bool = False):
    """`input` with `value` written (added, with accumulate) at `input[index]`, the index
    holding a traced boolean mask: an out-of-place result, `where(mask, value, region)`.

    PyTorch parity: `value` must broadcast to one selected element, or be a selection
    `x[mask]` (optionally with arithmetic) through the same mask tensor; a value with one
    entry per selected element raises (its length is the mask's count, unknown here), as
    does a mask combined with index tensors. The grad_fn is IndexPutBackward0, as torch's.
    """
    mask, spec, p, k = _region(tuple(input.shape), index)
    region = tuple(jax.eval_shape(lambda x: x[_built(spec)],
                                  jax.ShapeDtypeStruct(input.shape, input._value.dtype)).shape)
    if isinstance(value, MaskedSelection):
        if value.mask is not mask._value or (value.p, value.k) != (p, k) or \
                tuple(value.full.shape) != region:
            raise ValueDependentError(
                "y[mask] = x[mask] with a traced mask needs the same mask tensor on both "
                "sides and x's region of y's shape (inside functorch_like.compile, jax.jit): "
                "reuse one mask tensor (`m = ...; y[m] = x[m]`) or write "
                "y = torch.where(mask, x, y)")
        value, vshape = value.full, region
    else:
        from ._ops_math import as_operand
        value = as_operand(value)
        vshape = _value_shape(value, region, p, k)
    return apply(_f_mask_write, "IndexPutBackward0", input, value, mask, spec=spec, p=p,
                 k=k, vshape=vshape, accumulate=builtins.bool(accumulate))


def _no_flatten(*_):
    raise ValueDependentError(_READ_MESSAGE.format(what="returning it from the traced code"))


# A pytree whose flattening raises: returned from a compiled step or a jitted function, a
# selection would otherwise leak its tracers as an opaque Python object.
jax.tree_util.register_pytree_node(MaskedSelection, _no_flatten, _no_flatten)
