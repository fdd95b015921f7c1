"""Dense layers: linear, bilinear, embedding, flatten (init/apply pairs).

Apply functions take the parameter arrays by their state_dict names, so a layer's
parameter dict can be splatted: `linear(x, **params)`.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from . import init as _init
from ._errors import OutOfBoundsError, ShapeError, check_values
from ._types import Array, PRNGKey

__all__ = ["linear_init", "linear", "bilinear_init", "bilinear", "embedding_init",
           "embedding", "embedding_renorm", "flatten", "unflatten"]


def linear_init(in_features: int, out_features: int, bias: bool = True, *, key: PRNGKey,
                dtype=None) -> dict[str, Array]:
    """PyTorch's default Linear parameters: {"weight": (out, in), "bias": (out,)}.

    Both are U(-1/sqrt(in), 1/sqrt(in)) (kaiming_uniform with a=sqrt(5) for the weight).
    """
    wkey, bkey = jax.random.split(key)
    params = {"weight": _init.kaiming_uniform((out_features, in_features), a=math.sqrt(5),
                                              key=wkey, dtype=dtype)}
    if bias:
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        params["bias"] = _init.uniform((out_features,), -bound, bound, key=bkey, dtype=dtype)
    return params


def linear(x: Array, weight: Array, bias: Array | None = None) -> Array:
    """y = x @ weight.T + bias.

    Args:
      x: (*, in_features).
      weight: (out_features, in_features).
      bias: (out_features,) or None.
    Returns:
      (*, out_features).

    In bfloat16/float16 the bias is added before the product is rounded, as PyTorch's.
    """
    in_features = weight.shape[-1]
    if x.ndim == 0 or x.shape[-1] != in_features:
        rows = math.prod(x.shape[:-1]) if x.ndim > 1 else 1
        cols = x.shape[-1] if x.ndim else 1
        raise ShapeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
            f"{in_features}x{weight.shape[0]})")
    if bias is not None:
        _check_bias(x, weight, bias)
    if bias is not None and x.dtype in _HALF and weight.dtype == x.dtype == bias.dtype:
        # PyTorch's half-precision linear adds the bias to the float32 product and rounds
        # once (its addmm); the bias's gradient is then summed in float32 as well.
        y = jnp.matmul(x, weight.T, preferred_element_type=jnp.float32)
        return (y + bias.astype(jnp.float32)).astype(x.dtype)
    y = jnp.matmul(x, weight.T)
    return y if bias is None else y + bias


_HALF = (jnp.bfloat16, jnp.float16)


def _check_bias(x: Array, weight: Array, bias: Array) -> None:
    """PyTorch's error for a bias that does not broadcast to the output, which it
    expands to (rows, out_features) for addmm (rows: x's leading dims, 1 for a vector)."""
    target = (math.prod(x.shape[:-1]) if x.ndim > 1 else 1, weight.shape[0])
    if bias.ndim > 2:
        raise ShapeError(f"expand(torch.FloatTensor{{{list(bias.shape)}}}, "
                         f"size={list(target)}): the number of sizes provided (2) must be "
                         "greater or equal to the number of dimensions in the tensor "
                         f"({bias.ndim})")
    if bias.ndim == 2 and x.ndim > 2:
        return                  # (broadcast against the full output, not addmm's)
    for i in range(-1, -bias.ndim - 1, -1):
        if bias.shape[i] not in (1, target[i]):
            raise ShapeError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size "
                f"({bias.shape[i]}) at non-singleton dimension {2 + i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(bias.shape)}")


def bilinear_init(in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                  *, key: PRNGKey, dtype=None) -> dict[str, Array]:
    """PyTorch's Bilinear parameters: weight (out, in1, in2), bias (out,), U(+-1/sqrt(in1))."""
    _init.check_shape((out_features, in1_features, in2_features))     # (before the sqrt)
    wkey, bkey = jax.random.split(key)
    bound = 1 / math.sqrt(in1_features)
    params = {"weight": _init.uniform((out_features, in1_features, in2_features), -bound, bound,
                                      key=wkey, dtype=dtype)}
    if bias:
        params["bias"] = _init.uniform((out_features,), -bound, bound, key=bkey, dtype=dtype)
    return params


def bilinear(x1: Array, x2: Array, weight: Array, bias: Array | None = None) -> Array:
    """y_k = x1 @ weight[k] @ x2 + bias_k.  x1: (*, in1), x2: (*, in2) -> (*, out)."""
    for i, (x, expected) in enumerate(((x1, weight.shape[1]), (x2, weight.shape[2])), 1):
        if x.shape[-1] != expected:
            raise ShapeError(f"bilinear(): input{i} size does not match weight size: got "
                             f"{x.shape[-1]} but expected {expected}")
    if x1.ndim != x2.ndim:
        raise ShapeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and "
                         f"{x2.ndim}")
    for d, (a, b) in enumerate(zip(x1.shape[:-1], x2.shape[:-1])):
        if a != b:
            raise ShapeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                             f"got {a} and {b}")
    y = jnp.einsum("...i,kij,...j->...k", x1, weight, x2)
    return y if bias is None else y + bias


def embedding_init(num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                   *, key: PRNGKey, dtype=None) -> dict[str, Array]:
    """PyTorch's Embedding weight: N(0, 1), the `padding_idx` row zeroed."""
    weight = _init.normal((num_embeddings, embedding_dim), key=key, dtype=dtype)
    if padding_idx is not None:
        weight = weight.at[padding_idx].set(0.0)
    return {"weight": weight}


def embedding(indices: Array, weight: Array, padding_idx: int | None = None,
              scale_grad_by_freq: bool = False) -> Array:
    """Rows of `weight` (num_embeddings, dim) picked by integer `indices` (*) -> (*, dim).

    The row at `padding_idx` receives no gradient, as in PyTorch; with scale_grad_by_freq
    each row's gradient is divided by how often its index occurs in `indices`.
    Out-of-range indices (negative ones included: PyTorch does not wrap them) raise
    IndexError when they are concrete; inside a traced program JAX would clamp or wrap
    them, so their rows come out as NaN instead of a silently wrong row.
    """
    if not jnp.issubdtype(indices.dtype, jnp.integer):
        from ._errors import DTypeError
        from ._loss_base import torch_dtype_name
        raise DTypeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{torch_dtype_name(indices.dtype)}Tensor "
            "instead (while checking arguments for embedding)")
    n = weight.shape[0]
    if indices.size:
        check_values((indices,), lambda: ((indices < 0) | (indices >= n), jnp.zeros(())),
                     lambda _: OutOfBoundsError("index out of range in self"))
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    # jnp.take wraps negative indices even in "fill" mode: send them past the end instead.
    safe = jnp.where(indices < 0, n, indices)
    out = jnp.take(weight, safe, axis=0, mode="fill", fill_value=jnp.nan)
    if scale_grad_by_freq:
        counts = jnp.zeros(n + 1, out.dtype).at[jnp.minimum(safe, n)].add(1)
        scale = (1 / counts[jnp.minimum(safe, n)])[..., None]
        frozen = jax.lax.stop_gradient(out)
        out = frozen + (out - frozen) * scale       # the same rows, gradients scaled
    if padding_idx is not None:
        out = jnp.where((indices == padding_idx)[..., None], jax.lax.stop_gradient(out), out)
    return out


def embedding_renorm(weight: Array, indices: Array, max_norm: float,
                     norm_type: float = 2.0) -> Array:
    """`weight` with each row that `indices` looks up rescaled to norm max_norm when its
    `norm_type`-norm exceeds it (PyTorch's embedding_renorm_, scale max_norm / (norm +
    1e-7)); other rows unchanged. Embedding(max_norm=...) applies it before each lookup."""
    n = weight.shape[0]
    present = jnp.zeros(n + 1, bool).at[jnp.where(indices < 0, n, indices)].set(True)[:n]
    norms = jnp.linalg.norm(weight, ord=norm_type, axis=1)
    scale = jnp.where(present & (norms > max_norm), max_norm / (norms + 1e-7), 1)
    return weight * scale[:, None].astype(weight.dtype)


def flatten(x: Array, start_dim: int = 0, end_dim: int = -1) -> Array:
    """Merges dims start_dim..end_dim (inclusive), as `torch.flatten` (nn.Flatten uses 1)."""
    if x.ndim == 0:
        return x.reshape(1)
    start, end = start_dim % x.ndim, end_dim % x.ndim
    if start > end:
        raise ValueError("flatten() has invalid args: start_dim cannot come after end_dim")
    return x.reshape(x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:])


def unflatten(x: Array, dim: int, sizes) -> Array:
    """Splits dim `dim` into `sizes` (one entry may be -1), as `torch.unflatten`."""
    dim = dim % x.ndim
    return x.reshape(x.shape[:dim] + tuple(sizes) + x.shape[dim + 1:])
