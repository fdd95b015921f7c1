"""torch.amp: autocast (mixed-precision op dispatch) and GradScaler (loss scaling)."""

from .autocast_mode import autocast as autocast
from .autocast_mode import get_autocast_dtype as get_autocast_dtype
from .autocast_mode import is_autocast_available as is_autocast_available
from .autocast_mode import is_autocast_enabled as is_autocast_enabled
from .autocast_mode import set_autocast_dtype as set_autocast_dtype
from .autocast_mode import set_autocast_enabled as set_autocast_enabled
from .grad_scaler import GradScaler as GradScaler

__all__ = ["autocast", "GradScaler", "get_autocast_dtype", "is_autocast_available",
           "is_autocast_enabled", "set_autocast_dtype", "set_autocast_enabled"]
