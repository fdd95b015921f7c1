"""torch.cuda.amp: the deprecated spellings of torch.amp.autocast("cuda", ...) and
torch.amp.GradScaler("cuda", ...) (each warns FutureWarning, as PyTorch's)."""

from ..amp._deprecated import cuda_amp as _cuda_amp

autocast = _cuda_amp.autocast
GradScaler = _cuda_amp.GradScaler

__all__ = ["autocast", "GradScaler"]
