"""Host (numpy) data into jax arrays, always through a private copy.

A numpy array belongs to its caller, who may write to it as soon as we return. On the
CPU `jax.device_put` either aliases the buffer or copies it asynchronously after
returning (jax-ml/jax#37830), and `jnp.asarray` hands it to a program the same way: a
later write could reach a tensor's value, or a value the graph saved for backward. A
flaky CI run showed it: a model loaded from `torch_model.state_dict()` numpy arrays saw
torch's next in-place update of its running_var.
"""

from __future__ import annotations

import jax
import numpy as np


def from_host(arr, dtype=None):
    """A jax array holding a copy of the numpy data `arr`, cast on the host to `dtype`.

    `jax.device_put` transfers without compiling anything, where `jnp.array(np_array)`
    compiles a copy program (and `jnp.asarray(a, dtype)` a cast) for every new shape and
    dtype: tensor() of fresh data must not cost an XLA compilation.
    """
    arr = np.asarray(arr)
    if arr.dtype == object:         # (torch's refusal; JAX's said "not a valid JAX type")
        raise TypeError("can't convert np.ndarray of type numpy.object_. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, "
                        "int32, int16, int8, uint64, uint32, uint16, uint8, and bool.")
    target = jax.dtypes.canonicalize_dtype(arr.dtype if dtype is None else dtype)
    if arr.dtype.kind in "iu" and target in (np.int32, np.uint32) and arr.size and \
            target.itemsize < arr.dtype.itemsize and not jax.config.jax_enable_x64:
        # (x64 off stores int64 as int32: a value that does not fit would wrap silently.
        # A narrower type asked for wraps, as torch's cast of a numpy array does.)
        info = np.iinfo(target)
        low, high = arr.min(), arr.max()
        if low < info.min or high > info.max:
            raise x64_overflow(high if high > info.max else low, target)
    # A private host copy first: device_put of a numpy array may alias it or read it
    # after returning (an asynchronous transfer), so a caller writing to its array right
    # after tensor() / as_tensor() could otherwise change the tensor.
    with np.errstate(over="ignore", invalid="ignore"):   # (1e8 as float16 is inf, silently
        host = np.array(arr, dtype=target, copy=True)    # in torch)
    return jax.device_put(host)


def x64_overflow(value, stored) -> RuntimeError:
    """The error for a number that an int64 kept in 32 bits (x64 off) cannot hold."""
    return RuntimeError(f"value {value} cannot be converted to type {stored} without "
                        "overflow: 64-bit integers need JAX's x64 mode "
                        "(torch.set_default_dtype(torch.float64) or JAX_ENABLE_X64=1)")


def owned(value):
    """`value` as a jax array no caller can write to: a jax array as it is, anything else
    (a numpy array, a Python number or list) through `from_host`'s private copy."""
    return value if isinstance(value, jax.Array) else from_host(value)
