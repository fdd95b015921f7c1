"""functorch_like: PyTorch's core on JAX. `import functorch_like as torch`.

The torch-like namespace (tensors, dtypes, math, randomness, grad mode) over a pure
functional core, `functorch_like.pure`, whose layers, losses and optimizers are pure
functions of jax arrays and pytrees.
"""

# ruff: noqa: A001, A004  (torch shadows builtins: float, int, bool, sum, max, ...)
from . import _xla_flags  # noqa: F401  (first: XLA reads its flags when JAX starts)
from . import _methods  # noqa: F401  (binds Tensor methods and operators)
from ._foreach import functions as _foreach_functions
from . import _dynamo as _dynamo
from . import autograd as autograd
from . import compiler as compiler
from . import func as func
from . import linalg as linalg
from ._compile import compile as compile
from . import nn as nn
from . import optim as optim
from . import pure as pure
from . import utils as utils
from . import special as special
from . import distributions as distributions
from . import fft as fft
from . import testing as testing
from . import backends as backends
from . import amp as amp
from . import jit as jit
from .amp import autocast as autocast
from .amp import is_autocast_enabled as is_autocast_enabled
from .amp import get_autocast_dtype as get_autocast_dtype
from ._toplevel_autocast import set_autocast_enabled as set_autocast_enabled
from ._toplevel_autocast import set_autocast_dtype as set_autocast_dtype
from ._toplevel_autocast import is_autocast_cpu_enabled as is_autocast_cpu_enabled
from ._toplevel_autocast import set_autocast_cpu_enabled as set_autocast_cpu_enabled
from ._toplevel_autocast import get_autocast_cpu_dtype as get_autocast_cpu_dtype
from ._toplevel_autocast import set_autocast_cpu_dtype as set_autocast_cpu_dtype
from ._toplevel_autocast import get_autocast_gpu_dtype as get_autocast_gpu_dtype
from ._toplevel_autocast import set_autocast_gpu_dtype as set_autocast_gpu_dtype
from ._toplevel_autocast import is_autocast_cache_enabled as is_autocast_cache_enabled
from ._toplevel_autocast import set_autocast_cache_enabled as set_autocast_cache_enabled
from ._toplevel_autocast import clear_autocast_cache as clear_autocast_cache
from . import cpu as cpu
from . import cuda as cuda
from . import accelerator as accelerator
from . import version as version
from . import distributed as distributed
from . import multiprocessing as multiprocessing
from . import profiler as profiler
from . import torch_version as torch_version
from ._runtime import get_num_threads as get_num_threads
from ._runtime import set_num_threads as set_num_threads
from ._runtime import get_num_interop_threads as get_num_interop_threads
from ._runtime import set_num_interop_threads as set_num_interop_threads
from ._runtime import use_deterministic_algorithms as use_deterministic_algorithms
from ._runtime import are_deterministic_algorithms_enabled as are_deterministic_algorithms_enabled  # noqa: E501
from ._runtime import is_deterministic_algorithms_warn_only_enabled as is_deterministic_algorithms_warn_only_enabled  # noqa: E501
from ._runtime import get_deterministic_debug_mode as get_deterministic_debug_mode
from ._runtime import set_deterministic_debug_mode as set_deterministic_debug_mode
from ._runtime import get_float32_matmul_precision as get_float32_matmul_precision
from ._runtime import set_float32_matmul_precision as set_float32_matmul_precision
from ._dtypes import dtype as dtype
from ._dtypes import float16 as float16
from ._dtypes import half as half
from ._dtypes import bfloat16 as bfloat16
from ._dtypes import float32 as float32
from ._dtypes import float as float
from ._dtypes import float64 as float64
from ._dtypes import double as double
from ._dtypes import complex64 as complex64
from ._dtypes import cfloat as cfloat
from ._dtypes import complex128 as complex128
from ._dtypes import cdouble as cdouble
from ._dtypes import uint8 as uint8
from ._dtypes import int8 as int8
from ._dtypes import int16 as int16
from ._dtypes import short as short
from ._dtypes import int32 as int32
from ._dtypes import int as int
from ._dtypes import int64 as int64
from ._dtypes import long as long
from ._dtypes import bool as bool
from ._dtypes import get_default_dtype as get_default_dtype
from ._dtypes import set_default_dtype as set_default_dtype
from ._device import device as device
from ._tensor import Tensor as Tensor
from ._tensor import Size as Size
from ._tensor import typename as typename
from ._legacy_types import FloatTensor as FloatTensor
from ._legacy_types import DoubleTensor as DoubleTensor
from ._legacy_types import HalfTensor as HalfTensor
from ._legacy_types import BFloat16Tensor as BFloat16Tensor
from ._legacy_types import ByteTensor as ByteTensor
from ._legacy_types import CharTensor as CharTensor
from ._legacy_types import ShortTensor as ShortTensor
from ._legacy_types import IntTensor as IntTensor
from ._legacy_types import LongTensor as LongTensor
from ._legacy_types import BoolTensor as BoolTensor
from ._legacy_types import tensortype as tensortype
from ._factories import tensor as tensor
from ._factories import as_tensor as as_tensor
from ._factories import asarray as asarray
from ._factories import from_numpy as from_numpy
from ._factories import zeros as zeros
from ._factories import ones as ones
from ._factories import empty as empty
from ._factories import full as full
from ._factories import zeros_like as zeros_like
from ._factories import ones_like as ones_like
from ._factories import empty_like as empty_like
from ._factories import full_like as full_like
from ._factories import arange as arange
from ._factories import linspace as linspace
from ._factories import logspace as logspace
from ._factories import eye as eye
from . import random as random
from ._random import Generator as Generator
from ._random import default_generator as default_generator
from ._random import manual_seed as manual_seed
from ._random import seed as seed
from ._random import initial_seed as initial_seed
from ._random import get_rng_state as get_rng_state
from ._random import set_rng_state as set_rng_state
from ._random import rand as rand
from ._random import randn as randn
from ._random import randint as randint
from ._random import randperm as randperm
from ._random import normal as normal
from ._random import bernoulli as bernoulli
from ._random import multinomial as multinomial
from ._random_more import binomial as binomial
from ._random_more import poisson as poisson
from ._random import rand_like as rand_like
from ._random import randn_like as randn_like
from ._random import randint_like as randint_like
from ._ops_math import add as add
from ._ops_math import sub as sub
from ._ops_math import subtract as subtract
from ._ops_math import rsub as rsub
from ._ops_math import mul as mul
from ._ops_math import multiply as multiply
from ._ops_math import div as div
from ._ops_math import divide as divide
from ._ops_math import true_divide as true_divide
from ._ops_math import floor_divide as floor_divide
from ._ops_math import remainder as remainder
from ._ops_math import fmod as fmod
from ._ops_math import pow as pow
from ._ops_math import matmul as matmul
from ._ops_math import mm as mm
from ._ops_math import bmm as bmm
from ._ops_math import dot as dot
from ._ops_math import outer as outer
from ._ops_math import eq as eq
from ._ops_math import ne as ne
from ._ops_math import lt as lt
from ._ops_math import le as le
from ._ops_math import gt as gt
from ._ops_math import ge as ge
from ._ops_math import less as less
from ._ops_math import less_equal as less_equal
from ._ops_math import greater as greater
from ._ops_math import greater_equal as greater_equal
from ._ops_math import not_equal as not_equal
from ._ops_math import equal as equal
from ._ops_math import allclose as allclose
from ._ops_math import isclose as isclose
from ._ops_math import logical_and as logical_and
from ._ops_math import logical_or as logical_or
from ._ops_math import logical_xor as logical_xor
from ._ops_math import logical_not as logical_not
from ._ops_math import bitwise_and as bitwise_and
from ._ops_math import bitwise_or as bitwise_or
from ._ops_math import bitwise_xor as bitwise_xor
from ._ops_math import bitwise_not as bitwise_not
from ._ops_math import exp as exp
from ._ops_math import exp2 as exp2
from ._ops_math import expm1 as expm1
from ._ops_math import log as log
from ._ops_math import log2 as log2
from ._ops_math import log10 as log10
from ._ops_math import log1p as log1p
from ._ops_math import sqrt as sqrt
from ._ops_math import rsqrt as rsqrt
from ._ops_math import sin as sin
from ._ops_math import cos as cos
from ._ops_math import tan as tan
from ._ops_math import asin as asin
from ._ops_math import acos as acos
from ._ops_math import atan as atan
from ._ops_math import arcsin as arcsin
from ._ops_math import arccos as arccos
from ._ops_math import arctan as arctan
from ._ops_math import sinh as sinh
from ._ops_math import cosh as cosh
from ._ops_math import tanh as tanh
from ._ops_math import sigmoid as sigmoid
from ._ops_math import erf as erf
from ._ops_math import reciprocal as reciprocal
from ._ops_math import neg as neg
from ._ops_math import negative as negative
from ._ops_math import abs as abs
from ._ops_math import absolute as absolute
from ._ops_math import sign as sign
from ._ops_math import floor as floor
from ._ops_math import ceil as ceil
from ._ops_math import trunc as trunc
from ._ops_math import fix as fix
from ._ops_math import frac as frac
from ._ops_math import square as square
from ._ops_math import relu as relu
from ._ops_math import isnan as isnan
from ._ops_math import isinf as isinf
from ._ops_math import isfinite as isfinite
from ._ops_math import round as round
from ._ops_math import clamp as clamp
from ._ops_math import clip as clip
from ._ops_math import clamp_min as clamp_min
from ._ops_math import clamp_max as clamp_max
from ._ops_math import where as where
from ._ops_math import maximum as maximum
from ._ops_math import minimum as minimum
from ._ops_math import lerp as lerp
from ._ops_math import atan2 as atan2
from ._ops_math import arctan2 as arctan2
from ._ops_math_more import asinh as asinh
from ._ops_math_more import arcsinh as arcsinh
from ._ops_math_more import acosh as acosh
from ._ops_math_more import arccosh as arccosh
from ._ops_math_more import atanh as atanh
from ._ops_math_more import arctanh as arctanh
from ._ops_math_more import gcd as gcd
from ._ops_math_more import lcm as lcm
from ._ops_math_more import bitwise_left_shift as bitwise_left_shift
from ._ops_math_more import bitwise_right_shift as bitwise_right_shift
from ._ops_math_more import ldexp as ldexp
from ._ops_math_more import frexp as frexp
from ._ops_math_more import nextafter as nextafter
from ._ops_math_more import isposinf as isposinf
from ._ops_math_more import isneginf as isneginf
from ._ops_math_more import isreal as isreal
from ._ops_math_more import nanmean as nanmean
from ._ops_math_more import inner as inner
from ._ops_math_more import dist as dist
from ._ops_math_more import renorm as renorm
from ._ops_math_more import addr as addr
from ._ops_math_more import addbmm as addbmm
from ._ops_math_more import msort as msort
from . import return_types as return_types  # noqa: E402  (a module, as torch's)
from ._ops_reduce import sum as sum
from ._ops_reduce import nansum as nansum
from ._ops_reduce import mean as mean
from ._ops_reduce import prod as prod
from ._ops_reduce import max as max
from ._ops_reduce import min as min
from ._ops_reduce import amax as amax
from ._ops_reduce import amin as amin
from ._ops_reduce import argmax as argmax
from ._ops_reduce import argmin as argmin
from ._ops_reduce import var as var
from ._ops_reduce import std as std
from ._ops_reduce import var_mean as var_mean
from ._ops_reduce import std_mean as std_mean
from ._ops_reduce import norm as norm
from ._ops_reduce import cumsum as cumsum
from ._ops_reduce import cumprod as cumprod
from ._ops_reduce import logsumexp as logsumexp
from ._ops_reduce import all as all
from ._ops_reduce import any as any
from ._ops_reduce import count_nonzero as count_nonzero
from ._ops_reduce import sort as sort
from ._ops_reduce import argsort as argsort
from ._ops_reduce import topk as topk
from ._ops_shape import view as view
from ._ops_shape import reshape as reshape
from ._ops_shape import flatten as flatten
from ._ops_shape import unflatten as unflatten
from ._ops_shape import squeeze as squeeze
from ._ops_shape import unsqueeze as unsqueeze
from ._ops_shape import permute as permute
from ._ops_shape import transpose as transpose
from ._ops_shape import swapaxes as swapaxes
from ._ops_shape import swapdims as swapdims
from ._ops_shape import t as t
from ._ops_shape import movedim as movedim
from ._ops_shape import moveaxis as moveaxis
from ._ops_shape import broadcast_to as broadcast_to
from ._ops_shape import repeat_interleave as repeat_interleave
from ._ops_shape import cat as cat
from ._ops_shape import concat as concat
from ._ops_shape import concatenate as concatenate
from ._ops_shape import stack as stack
from ._ops_shape import hstack as hstack
from ._ops_shape import vstack as vstack
from ._ops_split import split as split
from ._ops_split import chunk as chunk
from ._ops_split import tensor_split as tensor_split
from ._ops_split import unbind as unbind
from ._ops_split import narrow_copy as narrow_copy
from ._ops_split import unsafe_chunk as unsafe_chunk
from ._ops_split import unsafe_split as unsafe_split
from ._ops_split import unsafe_split_with_sizes as unsafe_split_with_sizes
from ._ops_shape import narrow as narrow
from ._ops_shape import flip as flip
from ._ops_shape import roll as roll
from ._ops_shape import tril as tril
from ._ops_shape import triu as triu
from ._ops_shape import diagonal as diagonal
from ._ops_shape import diag as diag
from ._ops_shape import trace as trace
from ._ops_shape_more import ravel as ravel
from ._ops_shape_more import split_with_sizes as split_with_sizes
from ._ops_shape_more import hsplit as hsplit
from ._ops_shape_more import vsplit as vsplit
from ._ops_shape_more import dsplit as dsplit
from ._ops_shape_more import diag_embed as diag_embed
from ._ops_shape_more import diagflat as diagflat
from ._ops_shape_more import is_same_size as is_same_size
from ._ops_shape_more import is_signed as is_signed
from ._ops_shape_more import is_nonzero as is_nonzero
from ._ops_shape_more import is_floating_point as is_floating_point
from ._ops_shape_more import is_complex as is_complex
from ._ops_index import gather as gather
from ._ops_index import scatter as scatter
from ._ops_index import scatter_add as scatter_add
from ._ops_index import index_select as index_select
from ._ops_masked import masked_fill as masked_fill
from ._ops_masked import masked_select as masked_select
from ._ops_index import nonzero as nonzero
from ._ops_index import nonzero_static as nonzero_static
from ._ops_index import take as take
from ._ops_index import take_along_dim as take_along_dim
from ._ops_index_write import index_add as index_add
from ._ops_index_write import index_copy as index_copy
from ._ops_index_write import index_fill as index_fill
from ._ops_index_write import index_put as index_put
from ._ops_index_write import index_put_ as index_put_
from ._ops_index_write import index_reduce as index_reduce
from ._ops_index_write import scatter_reduce as scatter_reduce
from ._ops_index_write import masked_scatter as masked_scatter
from ._ops_index_write import put as put
from ._ops_select_scatter import select as select
from ._ops_select_scatter import select_scatter as select_scatter
from ._ops_select_scatter import slice_scatter as slice_scatter
from ._ops_select_scatter import diagonal_scatter as diagonal_scatter
from ._ops_linalg import det as det
from ._ops_linalg import logdet as logdet
from ._ops_linalg import torch_slogdet as slogdet
from ._ops_linalg import inv as inverse
from ._ops_linalg_svd import pinverse as pinverse
from ._ops_linalg_svd import matrix_power as matrix_power
from ._ops_linalg_svd import torch_svd as svd
from ._ops_linalg_lu import torch_lu as lu
from ._ops_linalg_lu import torch_lu_solve as lu_solve
from ._ops_linalg_lu import lu_unpack as lu_unpack
from ._ops_linalg_lu import triangular_solve as triangular_solve
from ._ops_linalg_legacy import cholesky_solve as cholesky_solve
from ._ops_linalg_legacy import cholesky_inverse as cholesky_inverse
from ._ops_linalg_legacy import cholesky as cholesky
from ._ops_linalg_legacy import qr as qr
from ._ops_linalg_more import matrix_exp as matrix_exp
from ._ops_linalg_legacy import chain_matmul as chain_matmul
from ._ops_linalg_legacy import ger as ger
from ._ops_linalg_legacy import vdot as vdot
from ._ops_linalg_legacy import adjoint as adjoint
from ._ops_linalg_legacy import nuclear_norm as nuclear_norm
from ._ops_linalg_legacy import frobenius_norm as frobenius_norm
from ._ops_linalg_legacy import orgqr as orgqr
from ._ops_linalg_legacy import ormqr as ormqr
from ._ops_linalg_legacy import geqrf as geqrf
from ._ops_gradient import gradient as gradient
from ._ops_gradient import unravel_index as unravel_index
from ._ops_linalg_lowrank import svd_lowrank as svd_lowrank
from ._ops_linalg_lowrank import pca_lowrank as pca_lowrank
from ._ops_trapezoid import trapezoid as trapezoid
from ._ops_trapezoid import trapz as trapz
from ._ops_trapezoid import cumulative_trapezoid as cumulative_trapezoid
from ._ops_stats import median as median
from ._ops_stats import nanmedian as nanmedian
from ._ops_stats import mode as mode
from ._ops_stats import kthvalue as kthvalue
from ._ops_stats import quantile as quantile
from ._ops_stats import nanquantile as nanquantile
from ._ops_stats import aminmax as aminmax
from ._ops_stats import cov as cov
from ._ops_stats import corrcoef as corrcoef
from ._ops_search import unique as unique
from ._ops_search import unique_consecutive as unique_consecutive
from ._ops_search import bincount as bincount
from ._ops_search import argwhere as argwhere
from ._ops_search import searchsorted as searchsorted
from ._ops_search import bucketize as bucketize
from ._ops_search import isin as isin
from ._ops_search import histc as histc
from ._ops_search import histogram as histogram
from ._finfo import finfo as finfo
from ._finfo import iinfo as iinfo
from ._methods import softmax as softmax
from ._methods import log_softmax as log_softmax
from .nn._functional_losses import cosine_similarity as cosine_similarity
from .nn._functional_losses import pairwise_distance as pairwise_distance
from .nn._functional_losses import pdist as pdist
from ._methods import addcmul as addcmul
from ._methods import addcdiv as addcdiv
from ._methods import addmm as addmm
from ._ops_contract import einsum as einsum
from ._ops_contract import tensordot as tensordot
from ._ops_contract import mv as mv
from ._ops_contract import addmv as addmv
from ._ops_contract import baddbmm as baddbmm
from ._ops_contract import kron as kron
from ._ops_contract import cross as cross
from ._ops_contract import cdist as cdist
from ._ops_contract import block_diag as block_diag
from ._ops_elementwise import hypot as hypot
from ._ops_elementwise import fmax as fmax
from ._ops_elementwise import fmin as fmin
from ._ops_elementwise import nan_to_num as nan_to_num
from ._ops_elementwise import erfinv as erfinv
from ._ops_elementwise import erfc as erfc
from ._ops_elementwise import lgamma as lgamma
from ._ops_elementwise import digamma as digamma
from ._ops_elementwise import polygamma as polygamma
from ._ops_elementwise import xlogy as xlogy
from ._ops_elementwise import logit as logit
from ._ops_elementwise import sinc as sinc
from ._ops_elementwise import deg2rad as deg2rad
from ._ops_elementwise import rad2deg as rad2deg
from ._ops_elementwise import copysign as copysign
from ._ops_elementwise import logaddexp as logaddexp
from ._ops_elementwise import logaddexp2 as logaddexp2
from ._ops_elementwise import float_power as float_power
from ._ops_elementwise import signbit as signbit
from ._ops_elementwise import heaviside as heaviside
from ._ops_elementwise import i0 as i0
from ._ops_elementwise import sgn as sgn
from ._ops_elementwise import positive as positive
from ._ops_combine import meshgrid as meshgrid
from ._ops_combine import broadcast_tensors as broadcast_tensors
from ._ops_combine import broadcast_shapes as broadcast_shapes
from ._ops_combine import tile as tile
from ._ops_combine import diff as diff
from ._ops_combine import rot90 as rot90
from ._ops_combine import dstack as dstack
from ._ops_combine import column_stack as column_stack
from ._ops_combine import row_stack as row_stack
from ._ops_combine import atleast_1d as atleast_1d
from ._ops_combine import atleast_2d as atleast_2d
from ._ops_combine import atleast_3d as atleast_3d
from ._ops_combine import cartesian_prod as cartesian_prod
from ._ops_combine import combinations as combinations
from ._ops_combine import tril_indices as tril_indices
from ._ops_combine import triu_indices as triu_indices
from ._ops_combine import vander as vander
from ._ops_combine import flipud as flipud
from ._ops_combine import fliplr as fliplr
from ._ops_combine import cummax as cummax
from ._ops_combine import cummin as cummin
from ._ops_combine import logcumsumexp as logcumsumexp
from ._ops_complex import real as real
from ._ops_complex import imag as imag
from ._ops_complex import angle as angle
from ._ops_complex import conj as conj
from ._ops_complex import conj_physical as conj_physical
from ._ops_complex import is_conj as is_conj
from ._ops_complex import is_neg as is_neg
from ._ops_complex import resolve_conj as resolve_conj
from ._ops_complex import resolve_neg as resolve_neg
from ._ops_complex import view_as_real as view_as_real
from ._ops_complex import view_as_complex as view_as_complex
from ._ops_complex import complex as complex
from ._ops_complex import polar as polar
from .autograd import no_grad as no_grad
from .autograd import enable_grad as enable_grad
from .autograd import set_grad_enabled as set_grad_enabled
from .autograd import is_grad_enabled as is_grad_enabled
from .autograd.anomaly_mode import is_anomaly_enabled as is_anomaly_enabled
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled as is_anomaly_check_nan_enabled
from .autograd import inference_mode as inference_mode
from ._toplevel_asserts import _assert as _assert
from ._toplevel_asserts import _assert_async as _assert_async
from ._toplevel_asserts import _check as _check
from ._toplevel_asserts import _check_index as _check_index
from ._toplevel_asserts import _check_value as _check_value
from ._toplevel_asserts import _check_type as _check_type
from ._toplevel_asserts import _check_not_implemented as _check_not_implemented
from ._toplevel_asserts import _check_with as _check_with
from ._toplevel_asserts import _check_tensor_all as _check_tensor_all
from .serialization import save as save
from .serialization import load as load
from ._toplevel_constants import pi as pi
from ._toplevel_constants import e as e
from ._toplevel_constants import inf as inf
from ._toplevel_constants import nan as nan
from ._toplevel_constants import newaxis as newaxis
from ._toplevel_constants import memory_format as memory_format
from ._toplevel_constants import contiguous_format as contiguous_format
from ._toplevel_constants import channels_last as channels_last
from ._toplevel_constants import channels_last_3d as channels_last_3d
from ._toplevel_constants import preserve_format as preserve_format
from ._toplevel_constants import layout as layout
from ._toplevel_constants import strided as strided
from ._toplevel_dtypes import promote_types as promote_types
from ._toplevel_dtypes import result_type as result_type
from ._toplevel_dtypes import can_cast as can_cast
from ._toplevel_factories import scalar_tensor as scalar_tensor
from ._toplevel_factories import range as range
from ._toplevel_factories import fill as fill
from ._toplevel_factories import frombuffer as frombuffer
from ._toplevel_factories import from_dlpack as from_dlpack
from ._toplevel_factories import to_dlpack as to_dlpack
from ._toplevel_state import get_default_device as get_default_device
from ._toplevel_state import set_default_device as set_default_device
from ._toplevel_state import set_default_tensor_type as set_default_tensor_type
from ._ops_strided import as_strided as as_strided
from ._methods_device import get_device as get_device
from ._toplevel_state import set_warn_always as set_warn_always
from ._toplevel_state import is_warn_always_enabled as is_warn_always_enabled
from ._toplevel_state import is_inference_mode_enabled as is_inference_mode_enabled
from ._toplevel_state import is_inference as is_inference
from .func import vmap as vmap
from ._toplevel_functional import conv1d as conv1d
from ._toplevel_functional import conv2d as conv2d
from ._toplevel_functional import conv3d as conv3d
from ._toplevel_functional import conv_transpose1d as conv_transpose1d
from ._toplevel_functional import conv_transpose2d as conv_transpose2d
from ._toplevel_functional import conv_transpose3d as conv_transpose3d
from ._toplevel_functional import max_pool1d as max_pool1d
from ._toplevel_functional import max_pool2d as max_pool2d
from ._toplevel_functional import max_pool3d as max_pool3d
from ._toplevel_functional import max_pool1d_with_indices as max_pool1d_with_indices
from ._toplevel_functional import avg_pool1d as avg_pool1d
from ._toplevel_functional import adaptive_avg_pool1d as adaptive_avg_pool1d
from ._toplevel_functional import adaptive_max_pool1d as adaptive_max_pool1d
from ._toplevel_functional import dropout as dropout
from ._toplevel_functional import alpha_dropout as alpha_dropout
from ._toplevel_functional import feature_dropout as feature_dropout
from ._toplevel_functional import feature_alpha_dropout as feature_alpha_dropout
from ._toplevel_functional import layer_norm as layer_norm
from ._toplevel_functional import group_norm as group_norm
from ._toplevel_functional import batch_norm as batch_norm
from ._toplevel_functional import instance_norm as instance_norm
from ._toplevel_functional import rms_norm as rms_norm
from ._toplevel_functional import embedding as embedding
from ._toplevel_functional import prelu as prelu
from ._toplevel_functional import selu as selu
from ._toplevel_functional import celu as celu
from ._toplevel_functional import rrelu as rrelu
from ._toplevel_functional import threshold as threshold
from ._toplevel_functional import hardshrink as hardshrink
from ._toplevel_functional import pixel_shuffle as pixel_shuffle
from ._toplevel_functional import pixel_unshuffle as pixel_unshuffle
from ._toplevel_functional import channel_shuffle as channel_shuffle
from ._toplevel_functional import native_channel_shuffle as native_channel_shuffle
from .nn._functional_embedding import embedding_renorm_ as embedding_renorm_
from ._toplevel_functional import bilinear as bilinear
from ._toplevel_losses import kl_div as kl_div
from ._toplevel_losses import cosine_embedding_loss as cosine_embedding_loss
from ._toplevel_losses import hinge_embedding_loss as hinge_embedding_loss
from ._toplevel_losses import margin_ranking_loss as margin_ranking_loss
from ._toplevel_losses import triplet_margin_loss as triplet_margin_loss
from ._toplevel_losses import poisson_nll_loss as poisson_nll_loss
from ._toplevel_losses import binary_cross_entropy_with_logits as binary_cross_entropy_with_logits
from ._toplevel_losses import ctc_loss as ctc_loss
from ._toplevel_losses import constant_pad_nd as constant_pad_nd
from ._toplevel_inplace import abs_ as abs_
from ._toplevel_inplace import acos_ as acos_
from ._toplevel_inplace import acosh_ as acosh_
from ._toplevel_inplace import addmv_ as addmv_
from ._toplevel_inplace import arccos_ as arccos_
from ._toplevel_inplace import arccosh_ as arccosh_
from ._toplevel_inplace import arcsin_ as arcsin_
from ._toplevel_inplace import arcsinh_ as arcsinh_
from ._toplevel_inplace import arctan_ as arctan_
from ._toplevel_inplace import arctanh_ as arctanh_
from ._toplevel_inplace import asin_ as asin_
from ._toplevel_inplace import asinh_ as asinh_
from ._toplevel_inplace import atan_ as atan_
from ._toplevel_inplace import atanh_ as atanh_
from ._toplevel_inplace import ceil_ as ceil_
from ._toplevel_inplace import clamp_ as clamp_
from ._toplevel_inplace import clamp_max_ as clamp_max_
from ._toplevel_inplace import clamp_min_ as clamp_min_
from ._toplevel_inplace import clip_ as clip_
from ._toplevel_inplace import conj_physical_ as conj_physical_
from ._toplevel_inplace import cos_ as cos_
from ._toplevel_inplace import cosh_ as cosh_
from ._toplevel_inplace import deg2rad_ as deg2rad_
from ._toplevel_inplace import detach_ as detach_
from ._toplevel_inplace import erf_ as erf_
from ._toplevel_inplace import erfc_ as erfc_
from ._toplevel_inplace import exp2_ as exp2_
from ._toplevel_inplace import exp_ as exp_
from ._toplevel_inplace import expm1_ as expm1_
from ._toplevel_inplace import fill_ as fill_
from ._toplevel_inplace import fix_ as fix_
from ._toplevel_inplace import floor_ as floor_
from ._toplevel_inplace import frac_ as frac_
from ._toplevel_inplace import gcd_ as gcd_
from ._toplevel_inplace import i0_ as i0_
from ._toplevel_inplace import lcm_ as lcm_
from ._toplevel_inplace import ldexp_ as ldexp_
from ._toplevel_inplace import log10_ as log10_
from ._toplevel_inplace import log1p_ as log1p_
from ._toplevel_inplace import log2_ as log2_
from ._toplevel_inplace import log_ as log_
from ._toplevel_inplace import logit_ as logit_
from ._toplevel_inplace import nan_to_num_ as nan_to_num_
from ._toplevel_inplace import neg_ as neg_
from ._toplevel_inplace import negative_ as negative_
from ._toplevel_inplace import rad2deg_ as rad2deg_
from ._toplevel_inplace import reciprocal_ as reciprocal_
from ._toplevel_inplace import relu_ as relu_
from ._toplevel_inplace import round_ as round_
from ._toplevel_inplace import rsqrt_ as rsqrt_
from ._toplevel_inplace import sigmoid_ as sigmoid_
from ._toplevel_inplace import sin_ as sin_
from ._toplevel_inplace import sinc_ as sinc_
from ._toplevel_inplace import sinh_ as sinh_
from ._toplevel_inplace import sqrt_ as sqrt_
from ._toplevel_inplace import square_ as square_
from ._toplevel_inplace import tan_ as tan_
from ._toplevel_inplace import tanh_ as tanh_
from ._toplevel_inplace import trunc_ as trunc_
from ._toplevel_inplace import xlogy_ as xlogy_
from ._toplevel_inplace import zero_ as zero_
from ._toplevel_inplace import selu_ as selu_
from ._toplevel_inplace import celu_ as celu_
from ._toplevel_inplace import threshold_ as threshold_
from ._toplevel_inplace import rrelu_ as rrelu_
from ._toplevel_inplace import dropout_ as dropout_
from ._toplevel_inplace import alpha_dropout_ as alpha_dropout_
from ._toplevel_inplace import feature_dropout_ as feature_dropout_
from ._toplevel_inplace import feature_alpha_dropout_ as feature_alpha_dropout_

from .version import __version__ as __version__  # noqa: E402  (a TorchVersion)


def is_tensor(obj) -> "bool":
    return isinstance(obj, Tensor)


def numel(input) -> "int":
    return input.numel()


def clone(input):
    return input.clone()


def detach(input):
    return input.detach()


def set_printoptions(**kwargs) -> None:
    """As torch.set_printoptions (precision, threshold, edgeitems, linewidth, sci_mode)."""
    from ._tensor_str import set_printoptions as _set
    _set(**kwargs)

__all__ = [
    "autograd",
    "func",
    "linalg",
    "compile",
    "nn",
    "optim",
    "pure",
    "utils",
    "special",
    "distributions",
    "fft",
    "testing",
    "backends",
    "amp",
    "jit",
    "autocast",
    "is_autocast_enabled",
    "get_autocast_dtype",
    "cpu",
    "get_num_threads",
    "set_num_threads",
    "get_num_interop_threads",
    "set_num_interop_threads",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "get_deterministic_debug_mode",
    "set_deterministic_debug_mode",
    "get_float32_matmul_precision",
    "set_float32_matmul_precision",
    "dtype",
    "float16",
    "half",
    "bfloat16",
    "float32",
    "float",
    "float64",
    "double",
    "complex64",
    "cfloat",
    "complex128",
    "cdouble",
    "uint8",
    "int8",
    "int16",
    "short",
    "int32",
    "int",
    "int64",
    "long",
    "bool",
    "get_default_dtype",
    "set_default_dtype",
    "device",
    "Tensor",
    "Size",
    "typename",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "ByteTensor",
    "CharTensor",
    "ShortTensor",
    "IntTensor",
    "LongTensor",
    "BoolTensor",
    "tensortype",
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "zeros",
    "ones",
    "empty",
    "full",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "arange",
    "linspace",
    "logspace",
    "eye",
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "poisson",
    "binomial",
    "rand_like",
    "randn_like",
    "randint_like",
    "add",
    "sub",
    "subtract",
    "rsub",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "floor_divide",
    "remainder",
    "fmod",
    "pow",
    "matmul",
    "mm",
    "bmm",
    "dot",
    "outer",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "not_equal",
    "equal",
    "allclose",
    "isclose",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "sqrt",
    "rsqrt",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "sigmoid",
    "erf",
    "reciprocal",
    "neg",
    "negative",
    "abs",
    "absolute",
    "sign",
    "floor",
    "ceil",
    "trunc",
    "fix",
    "frac",
    "square",
    "relu",
    "isnan",
    "isinf",
    "isfinite",
    "round",
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "where",
    "maximum",
    "minimum",
    "lerp",
    "atan2",
    "arctan2",
    "asinh",
    "arcsinh",
    "acosh",
    "arccosh",
    "atanh",
    "arctanh",
    "gcd",
    "lcm",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "ldexp",
    "frexp",
    "nextafter",
    "isposinf",
    "isneginf",
    "isreal",
    "nanmean",
    "inner",
    "dist",
    "renorm",
    "addr",
    "addbmm",
    "msort",
    "return_types",
    "sum",
    "nansum",
    "mean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "norm",
    "cumsum",
    "cumprod",
    "logsumexp",
    "all",
    "any",
    "count_nonzero",
    "sort",
    "argsort",
    "topk",
    "view",
    "reshape",
    "flatten",
    "unflatten",
    "squeeze",
    "unsqueeze",
    "permute",
    "transpose",
    "swapaxes",
    "swapdims",
    "t",
    "movedim",
    "moveaxis",
    "broadcast_to",
    "repeat_interleave",
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "split",
    "chunk",
    "tensor_split",
    "unbind",
    "narrow",
    "narrow_copy",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
    "nonzero_static",
    "flip",
    "roll",
    "tril",
    "triu",
    "diagonal",
    "diag",
    "trace",
    "ravel",
    "split_with_sizes",
    "hsplit",
    "vsplit",
    "dsplit",
    "diag_embed",
    "diagflat",
    "is_same_size",
    "is_signed",
    "is_nonzero",
    "is_floating_point",
    "is_complex",
    "gather",
    "scatter",
    "scatter_add",
    "index_select",
    "masked_fill",
    "masked_select",
    "nonzero",
    "take",
    "take_along_dim",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "index_put_",
    "index_reduce",
    "scatter_reduce",
    "masked_scatter",
    "put",
    "select",
    "select_scatter",
    "slice_scatter",
    "diagonal_scatter",
    "det",
    "logdet",
    "slogdet",
    "inverse",
    "pinverse",
    "matrix_power",
    "svd",
    "lu",
    "lu_solve",
    "lu_unpack",
    "triangular_solve",
    "cholesky_solve",
    "cholesky_inverse",
    "cholesky",
    "qr",
    "matrix_exp",
    "chain_matmul",
    "ger",
    "vdot",
    "adjoint",
    "nuclear_norm",
    "frobenius_norm",
    "orgqr",
    "ormqr",
    "geqrf",
    "gradient",
    "unravel_index",
    "svd_lowrank",
    "pca_lowrank",
    "trapezoid",
    "trapz",
    "cumulative_trapezoid",
    "median",
    "nanmedian",
    "mode",
    "kthvalue",
    "quantile",
    "nanquantile",
    "aminmax",
    "cov",
    "corrcoef",
    "unique",
    "unique_consecutive",
    "bincount",
    "argwhere",
    "searchsorted",
    "bucketize",
    "isin",
    "histc",
    "histogram",
    "finfo",
    "iinfo",
    "softmax",
    "log_softmax",
    "cosine_similarity",
    "pairwise_distance",
    "pdist",
    "addcmul",
    "addcdiv",
    "addmm",
    "einsum",
    "tensordot",
    "mv",
    "addmv",
    "baddbmm",
    "kron",
    "cross",
    "cdist",
    "block_diag",
    "hypot",
    "fmax",
    "fmin",
    "nan_to_num",
    "erfinv",
    "erfc",
    "lgamma",
    "digamma",
    "polygamma",
    "xlogy",
    "logit",
    "sinc",
    "deg2rad",
    "rad2deg",
    "copysign",
    "logaddexp",
    "logaddexp2",
    "float_power",
    "signbit",
    "heaviside",
    "i0",
    "sgn",
    "positive",
    "meshgrid",
    "broadcast_tensors",
    "broadcast_shapes",
    "tile",
    "diff",
    "rot90",
    "dstack",
    "column_stack",
    "row_stack",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "cartesian_prod",
    "combinations",
    "tril_indices",
    "triu_indices",
    "vander",
    "flipud",
    "fliplr",
    "cummax",
    "cummin",
    "logcumsumexp",
    "real",
    "imag",
    "angle",
    "conj",
    "conj_physical",
    "is_conj",
    "is_neg",
    "resolve_conj",
    "resolve_neg",
    "view_as_real",
    "view_as_complex",
    "complex",
    "polar",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "inference_mode",
    "save",
    "load",
    "cuda",
    "version",
    "torch_version",
    "distributed",
    "multiprocessing",
    "profiler",
    "is_tensor",
    "numel",
    "clone",
    "detach",
    "set_printoptions",
    "__version__",
]

# The top-level names of the _toplevel_* modules that torch.__all__ lists too (it omits
# the memory formats, strided and the DLPack pair).
__all__ += [
    "pi", "e", "inf", "nan", "newaxis", "memory_format", "layout", "promote_types",
    "result_type", "can_cast", "scalar_tensor", "range", "fill", "frombuffer",
    "get_default_device", "set_default_device", "set_default_tensor_type", "as_strided",
    "get_device", "set_warn_always",
    "is_warn_always_enabled", "is_inference_mode_enabled", "is_inference", "vmap",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
    "dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout", "layer_norm",
    "group_norm", "batch_norm", "instance_norm", "rms_norm", "embedding", "prelu", "selu",
    "celu", "rrelu", "threshold", "hardshrink", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "native_channel_shuffle", "embedding_renorm_", "bilinear", "kl_div", "cosine_embedding_loss",
    "hinge_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
    "poisson_nll_loss", "binary_cross_entropy_with_logits", "ctc_loss", "constant_pad_nd",
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_",
    "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_",
    "frac_", "gcd_", "i0_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_",
    "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_",
    "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_",
    "tanh_", "trunc_", "xlogy_", "zero_", "selu_", "celu_", "threshold_", "rrelu_",
    "dropout_", "alpha_dropout_", "feature_dropout_", "feature_alpha_dropout_",
]

# Signal processing and the special functions torch also exposes at the top level.
from ._special_more import igamma as igamma  # noqa: E402
from ._special_more import igammac as igammac  # noqa: E402
from ._special_more import mvlgamma as mvlgamma  # noqa: E402
from ._windows import bartlett_window as bartlett_window  # noqa: E402
from ._windows import blackman_window as blackman_window  # noqa: E402
from ._windows import hamming_window as hamming_window  # noqa: E402
from ._windows import hann_window as hann_window  # noqa: E402
from ._windows import kaiser_window as kaiser_window  # noqa: E402
from ._signal import istft as istft  # noqa: E402
from ._signal import stft as stft  # noqa: E402

__all__ += ["igamma", "igammac", "mvlgamma", "bartlett_window", "blackman_window",
            "hamming_window", "hann_window", "kaiser_window", "istft", "stft"]

globals().update(_foreach_functions())     # torch._foreach_add, ...

# Last, once every function and method is bound: numpy-style `axis=`/`keepdims=` keywords.
from ._kwarg_aliases import install as _install_kwarg_aliases  # noqa: E402
_install_kwarg_aliases(globals(), Tensor)
# And the `out=` keyword of torch's native functions (`torch.matmul(a, b, out=y)`).
from ._out_arg import install as _install_out_arg  # noqa: E402
_install_out_arg(globals(), Tensor, aliases=(vars(special),))
# Outermost: the Tensor-only parameters of torch's signatures (`torch.maximum(t, 2)` raises).
from ._tensor_args import install as _install_tensor_args  # noqa: E402
_install_tensor_args(globals(), Tensor)
# And the `int dim` of single-dim ops (`torch.argmax(t, (0,))` raises torch's TypeError).
from ._dim_args import install as _install_dim_args  # noqa: E402
_install_dim_args(globals(), Tensor)
# torch's refusals of half matrices in linear algebra (JAX's errors came from inside).
from ._linalg_low_precision import install as _install_linalg_low_precision  # noqa: E402
_install_linalg_low_precision(linalg, globals(), Tensor)
# Outside all: a number where torch wants the first Tensor (`torch.exp(1.0)` raises).
from ._tensor_args import install_first as _install_first_tensor  # noqa: E402
_install_first_tensor(globals(), Tensor, nn.functional, special)
