"""torch.nn.init: in-place initializers on Tensors (under no_grad), returning the tensor.

The values come from the pure core's initializers (functorch_like.pure.init) with keys from
the global generator (or `generator=`): PyTorch's distributions and bounds, JAX's streams.
"""

from __future__ import annotations

import warnings

from .. import _random
from .._tensor import Tensor
from ..autograd._grad_mode import no_grad
from ..pure import init as _init

calculate_gain = _init.calculate_gain


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    return _init.fan_in_and_fan_out(tuple(tensor.shape))


def _fill(tensor: Tensor, value) -> Tensor:
    with no_grad():
        tensor._set(Tensor._make(value.astype(tensor._value.dtype)))
    return tensor


def _key(generator):
    return _random.next_key(generator)


def _check_range(a, b) -> None:
    # (torch's init functions sample with Tensor.uniform_, whose check this is)
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    _check_range(a, b)
    return _fill(tensor, _init.uniform(tensor.shape, a, b, key=_key(generator),
                                       dtype=tensor._value.dtype))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return _fill(tensor, _init.normal(tensor.shape, mean, std, key=_key(generator),
                                      dtype=tensor._value.dtype))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    _check_range(a, b)
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    return _fill(tensor, _init.trunc_normal(tensor.shape, mean, std, a, b, key=_key(generator),
                                            dtype=tensor._value.dtype))


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _fill(tensor, _init.constant(tensor.shape, val, dtype=tensor._value.dtype))


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    return _fill(tensor, _init.eye(tensor.shape, dtype=tensor._value.dtype))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    return _fill(tensor, _init.xavier_uniform(tensor.shape, gain, key=_key(generator),
                                              dtype=tensor._value.dtype))


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    return _fill(tensor, _init.xavier_normal(tensor.shape, gain, key=_key(generator),
                                             dtype=tensor._value.dtype))


def _zero_element(tensor: Tensor) -> bool:
    """torch's kaiming initializers warn and return an empty tensor untouched."""
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    if _zero_element(tensor):
        return tensor
    return _fill(tensor, _init.kaiming_uniform(tensor.shape, a, mode, nonlinearity,
                                               key=_key(generator), dtype=tensor._value.dtype))


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    if _zero_element(tensor):
        return tensor
    return _fill(tensor, _init.kaiming_normal(tensor.shape, a, mode, nonlinearity,
                                              key=_key(generator), dtype=tensor._value.dtype))


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    return _fill(tensor, _init.orthogonal(tensor.shape, gain, key=_key(generator),
                                          dtype=tensor._value.dtype))


# dirac_/sparse_ and PyTorch's deprecated aliases (warn, then call the `_` version).
from ._init_more import dirac_ as dirac_  # noqa: E402
from ._init_more import make_deprecated as _make_deprecated  # noqa: E402
from ._init_more import sparse_ as sparse_  # noqa: E402

uniform = _make_deprecated(uniform_)
normal = _make_deprecated(normal_)
constant = _make_deprecated(constant_)
eye = _make_deprecated(eye_)
dirac = _make_deprecated(dirac_)
xavier_uniform = _make_deprecated(xavier_uniform_)
xavier_normal = _make_deprecated(xavier_normal_)
kaiming_uniform = _make_deprecated(kaiming_uniform_)
kaiming_normal = _make_deprecated(kaiming_normal_)
orthogonal = _make_deprecated(orthogonal_)
sparse = _make_deprecated(sparse_)
