"""torch.utils.data._utils.collate: the collate functions under torch's module path (they
live in functorch_like.utils.data._collate; this is the same objects, so extending
`default_collate_fn_map` here changes what `default_collate` does, as in torch)."""

from .._collate import _np_str_obj_array_pattern as np_str_obj_array_pattern
from .._collate import collate as collate
from .._collate import collate_float_fn as collate_float_fn
from .._collate import collate_int_fn as collate_int_fn
from .._collate import collate_numpy_array_fn as collate_numpy_array_fn
from .._collate import collate_numpy_scalar_fn as collate_numpy_scalar_fn
from .._collate import collate_str_fn as collate_str_fn
from .._collate import collate_tensor_fn as collate_tensor_fn
from .._collate import default_collate as default_collate
from .._collate import default_collate_err_msg_format as default_collate_err_msg_format
from .._collate import default_collate_fn_map as default_collate_fn_map
from .._collate import default_convert as default_convert
