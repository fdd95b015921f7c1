"""torch.backends: what this JAX runtime has, and PyTorch's backend flags.

The `is_available()` answers are truthful for JAX: cuDNN and CUDA exist when JAX finds a
GPU backend; MPS, oneDNN (mkldnn) and OpenMP are not used by XLA, so they report False.
The flags (`cudnn.benchmark`, `cudnn.deterministic`, ...) are plain settable attributes
that XLA does not read, except `cuda.matmul.allow_tf32`, which is the float32 matmul
precision (see functorch_like/_runtime.py).
"""

from . import cuda as cuda
from . import cudnn as cudnn
from . import mkldnn as mkldnn
from . import mps as mps
from . import openmp as openmp

__all__ = ["cuda", "cudnn", "mkldnn", "mps", "openmp"]
