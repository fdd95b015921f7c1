"""torch.amp: autocast (mixed-precision op dispatch), GradScaler (loss scaling) and the
custom_fwd/custom_bwd decorators for custom autograd Functions."""

from .autocast_mode import autocast as autocast
from .autocast_mode import get_autocast_dtype as get_autocast_dtype
from .autocast_mode import is_autocast_available as is_autocast_available
from .autocast_mode import is_autocast_enabled as is_autocast_enabled
from .autocast_mode import set_autocast_dtype as set_autocast_dtype
from .autocast_mode import set_autocast_enabled as set_autocast_enabled
from .grad_scaler import GradScaler as GradScaler
from .custom_functions import custom_bwd as custom_bwd
from .custom_functions import custom_fwd as custom_fwd

__all__ = ["autocast", "GradScaler", "custom_bwd", "custom_fwd", "get_autocast_dtype",
           "is_autocast_available", "is_autocast_enabled", "set_autocast_dtype",
           "set_autocast_enabled"]
