"""torch.version: the version of the torch API this package emulates.

`__version__` is "2.13.0", the torch release whose behaviour the package matches (its
tests run against it), as a TorchVersion so that scripts' gates such as
`torch.__version__ >= "1.10"` choose the modern code path. The package's own release
(the pip version in pyproject.toml) is `package_version`.

PyTorch parity: torch's CPU wheel says "2.13.0+cpu"; there is no local label here.
`cuda` and `hip` are None (no CUDA toolkit is linked: a JAX GPU backend is found at run
time, see torch.cuda), `git_version` is "Unknown", as in a torch built outside git.
"""

from .torch_version import TorchVersion

__version__ = TorchVersion("2.13.0")
package_version = "0.1.0"     # keep equal to pyproject.toml's [project] version
debug = False
cuda = None
hip = None
rocm = None
xpu = None
git_version = "Unknown"

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "package_version"]
