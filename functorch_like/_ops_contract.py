"""Contractions and products: einsum, tensordot, mv/addmv/baddbmm, kron, cross, cdist,
block_diag. Shapes and dtypes are checked here, with PyTorch's messages, before the pure
function runs (jnp's errors name neither operand nor dim)."""

from __future__ import annotations

import builtins
import string
import warnings

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from . import _autocast_state, _dtypes
from . import _ops_math as M
from ._tensor import Tensor, _wrap_dim, apply

# ---- einsum ---------------------------------------------------------------------------


def _f_einsum(*xs, equation):
    return jnp.einsum(equation, *xs)


def _sublist_equation(args) -> tuple:
    """`einsum(a, [0, 1], b, [1, 2], [0, 2])` as ('ab,bc->ac', [a, b])."""
    def letters(sub):
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sub)
    operands, subs = list(args[0::2]), [letters(s) for s in args[1::2]]
    out = None
    if len(args) % 2:                     # a trailing output sublist
        operands, out = operands[:-1], letters(args[-1])
    eq = ",".join(subs)
    return (eq if out is None else f"{eq}->{out}"), operands


def _check_einsum(equation: str, operands) -> None:
    lhs, _, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    sizes: dict = {}
    for i, (term, x) in enumerate(zip(terms, operands)):
        if x.dtype != operands[0].dtype:
            raise RuntimeError(f"expected scalar type {_dtypes.scalar_type_name(operands[0].dtype)}"
                               f" but found {_dtypes.scalar_type_name(x.dtype)}")
        labels = term.replace("...", "")
        if "..." not in term and len(labels) != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(labels)}) does not match the number of dimensions "
                               f"({x.ndim}) for operand {i} and no ellipsis was given")
        # Labels of an ellipsis term bind to the leading and trailing dims around it.
        head, _, tail = term.partition("...")
        dims = list(zip(head, x.shape)) + list(zip(tail, x.shape[x.ndim - len(tail):]))
        for label, n in dims:
            seen = sizes.setdefault(label, n)
            if seen != n and 1 not in (seen, n):
                raise RuntimeError(f"einsum(): subscript {label} has size {n} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{seen}")
            sizes[label] = builtins.max(seen, n)
    out_labels = rhs.replace("...", "")
    for i, label in enumerate(out_labels):
        if label in out_labels[:i]:
            raise RuntimeError(f"einsum(): output subscript {label} appears more than once in "
                               "the output")
        if label not in sizes:
            raise RuntimeError(f"einsum(): output subscript {label} does not appear in the "
                               "equation for any input operand")


def einsum(*args):
    """Einstein summation: `einsum("ij,jk->ik", a, b)`, `einsum(eq, [a, b])`, or the
    sublist form `einsum(a, [0, 1], b, [1, 2], [0, 2])`. Operands must share a dtype.

    PyTorch parity: the grad_fn is named EinsumBackward0 (torch's names the last op of the
    contraction path it chose: ViewBackward0, SumBackward1, ...).
    """
    if args and isinstance(args[0], Tensor):
        equation, operands = _sublist_equation(args)
    else:
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    equation = equation.replace(" ", "")
    _check_einsum(equation, operands)
    return apply(_f_einsum, "EinsumBackward0", *operands, equation=equation)


# ---- tensordot, mv, kron --------------------------------------------------------------


def _f_tensordot(a, b, *, axes):
    return jnp.tensordot(a, b, axes)


def tensordot(a, b, dims=2, out=None):
    """Contracts dims of `a` with dims of `b`: an int n (the last n of a with the first n
    of b) or a pair of dim lists `([1, 2], [0, 1])`. Shapes (..., k) x (k, ...)."""
    if out is not None:
        raise NotImplementedError("tensordot(out=...) is not supported")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, builtins.int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, builtins.int) else list(da)
        db = [db] if isinstance(db, builtins.int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    axes_a = tuple(_wrap_dim(d, a.ndim) for d in da)
    axes_b = tuple(_wrap_dim(d, b.ndim) for d in db)
    for d1, d2, x, y in zip(da, db, axes_a, axes_b):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {d1} and second has size {b.shape[y]} "
                               f"in dim {d2}")
    return apply(_f_tensordot, "ViewBackward0", a, b, axes=(axes_a, axes_b))


def mv(input, vec):
    """Matrix (n, m) times vector (m,) -> (n,)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, "
                           f"{vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    if input.dtype != vec.dtype:
        v, m = _dtypes.scalar_type_name(vec.dtype), _dtypes.scalar_type_name(input.dtype)
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, "
                           f"and {v}")
    if input.dtype == _dtypes.bool:     # (torch's CPU kernel has no bool version)
        raise _dtypes.kernel_error("addmv_impl_cpu", input.dtype)
    return apply(_f_mv, "MvBackward0", input, vec)


def _f_mv(a, b):        # (its own function: on CUDA autocast's list, not on the CPU one)
    return jnp.matmul(a, b)


def _scaled_sum(input, prod, beta, alpha):
    """beta * input + alpha * prod; beta == 0 ignores input (its NaN/inf too), as torch."""
    prod = prod if alpha == 1 else M.mul(prod, alpha)
    if beta == 0:
        M.broadcast_shape(input, prod)
        return prod
    return M.add(prod, input if beta == 1 else M.mul(input, beta))


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec); input broadcasts to (n,)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * bmm(batch1, batch2); input broadcasts to (b, n, p)."""
    if _autocast_state.cast is not None:    # all three in autocast's dtype, as PyTorch
        input, batch1, batch2 = _autocast_state.cast(baddbmm, "BaddbmmBackward0",
                                                     (input, batch1, batch2))
    return _scaled_sum(input, M.bmm(batch1, batch2), beta, alpha)


def _f_kron(a, b, *, dtype):
    if dtype == jnp.bool_:      # (jnp.kron multiplies, which bool refuses: a logical and)
        return jnp.kron(a.astype(jnp.int32), b.astype(jnp.int32)).astype(jnp.bool_)
    return jnp.kron(a.astype(dtype), b.astype(dtype))


def kron(input, other):
    """Kronecker product; the smaller-rank operand gets leading size-1 dims."""
    dtype = _dtypes.result_type(input._value, other._value)
    return apply(_f_kron, "KronBackward0", input, other, dtype=dtype)


# ---- cross ----------------------------------------------------------------------------

_CROSS_DIM_WARNING = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
    "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
    "change to agree with that of linalg.cross in a future release.")


def _f_cross(a, b, *, axis):
    return jnp.cross(a, b, axisa=axis, axisb=axis, axisc=axis)


def cross(input, other, dim=None):
    """Cross product of 3-vectors along `dim` (broadcasting the other dims).

    With dim=None the first dim of size 3 of `input` is used, with torch's deprecation
    UserWarning.
    """
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.scalar_type_name(input.dtype)} but "
                           f"found {_dtypes.scalar_type_name(other.dtype)}")
    if dim is None:
        warnings.warn(_CROSS_DIM_WARNING, UserWarning, stacklevel=2)
        sizes = list(input.shape)
        if 3 not in sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes.index(3)
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    M.broadcast_shape(input, other)
    return apply(_f_cross, "LinalgCrossBackward0", input, other, axis=d)


# ---- cdist ----------------------------------------------------------------------------

_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                  "donot_use_mm_for_euclid_dist")


def _safe_root(s, p):
    """s ** (1/p) whose gradient is 0 where s == 0 (torch's cdist backward at distance 0;
    the plain root's is inf or NaN there)."""
    zero = s == 0
    root = jnp.sqrt if p == 2 else (lambda v: v ** (1.0 / p))
    return jnp.where(zero, 0, root(jnp.where(zero, 1, s)))


def _f_cdist(x1, x2, *, p):
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    if p == 0:
        return jnp.sum(jax.lax.stop_gradient(diff) != 0, axis=-1).astype(x1.dtype)
    if p == 1:
        return jnp.sum(M.abs_with_torch_grad(diff), axis=-1)
    if p == float("inf"):
        # torch's gradient: sign(d) to every d with |d| == max (jnp.max splits it among
        # ties, and its |d| has gradient 1 at 0): the max's value plus zero-valued terms
        # that carry that gradient.
        mag = jnp.abs(diff)
        top = jax.lax.stop_gradient(jnp.max(mag, axis=-1, keepdims=True))
        at_top = mag == top
        slope = M.abs_with_torch_grad(diff) - jax.lax.stop_gradient(mag)
        return top[..., 0] + jnp.sum(jnp.where(at_top, slope, 0), axis=-1)
    if p == 2:
        return _safe_root(jnp.sum(diff * diff, axis=-1), p)
    # |d| ** p with a zero gradient at d == 0 (torch's, also for p < 1 where it is inf).
    nonzero = diff != 0
    powered = jnp.where(nonzero, jnp.abs(jnp.where(nonzero, diff, 1)) ** p, 0)
    return _safe_root(jnp.sum(powered, axis=-1), p)


def cdist(x1, x2, p: float = 2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between the rows of x1 (B..., P, M) and x2 (B..., R, M): (B..., P, R).

    The batch dims broadcast. The gradient at distance 0 is 0, as torch's.

    PyTorch parity: `compute_mode` is validated but the distances are always computed from
    the differences (torch's matmul form for large inputs is faster and less accurate).
    """
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.ndim}D")
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.is_floating_point():
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_dtypes.scalar_type_name(x.dtype)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.scalar_type_name(x1.dtype)} but "
                           f"found {_dtypes.scalar_type_name(x2.dtype)}")
    if x1.dtype in (_dtypes.float16, _dtypes.bfloat16) and _autocast_state.cast is None:
        raise _dtypes.kernel_error("cdist", x1.dtype)   # (float32 under CPU autocast)
    if not p >= 0:                        # (NaN too)
        raise RuntimeError("cdist only supports non-negative p values")
    # The batch dims broadcast: the check on (small) stand-ins with only those dims.
    M.broadcast_shape(*(Tensor._make(jnp.empty(x.shape[:-2], bool)) for x in (x1, x2)))
    return apply(_f_cdist, "CdistBackward0", x1, x2, p=builtins.float(p))


# ---- block_diag -----------------------------------------------------------------------


def _f_block_diag(*xs, dtype):
    return jsl.block_diag(*[x.astype(dtype) for x in xs])


def block_diag(*tensors):
    """Block-diagonal matrix of the inputs: 0-d is (1, 1), 1-d (n,) is (1, n), 2-d as is."""
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    if not tensors:
        return Tensor._make(jnp.zeros((1, 0), _dtypes.get_default_dtype().jax))
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    dtype = _dtypes.result_type(*[t._value for t in tensors])
    return apply(_f_block_diag, "BlockDiagBackward0", *mats, dtype=dtype)
