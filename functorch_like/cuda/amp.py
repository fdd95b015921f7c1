"""torch.cuda.amp: the deprecated spellings of torch.amp.autocast("cuda", ...) and
torch.amp.GradScaler("cuda", ...), and of torch.amp.custom_fwd/custom_bwd(...,
device_type="cuda") (each warns FutureWarning, as PyTorch's)."""

from ..amp._deprecated import cuda_amp as _cuda_amp

autocast = _cuda_amp.autocast
GradScaler = _cuda_amp.GradScaler
custom_fwd = _cuda_amp.custom_fwd
custom_bwd = _cuda_amp.custom_bwd

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]
