"""torch.jit as eager pass-throughs: `script`/`trace` return code that runs the original.

PyTorch parity: there is no TorchScript here: no compiled graph, no TorchScript type
checking, no `.graph`/`.code`, and `save`/`load` raise (save a state_dict instead). The
results, values and gradients, are those of the original Python. For speed use
`functorch_like.compile`, which compiles a whole training step with XLA. As in PyTorch
2.13, the entry points (script, trace, fork, wait, freeze, save, load, ...) warn with a
DeprecationWarning.
"""

from ._fork import Future as Future
from ._fork import fork as fork
from ._fork import wait as wait
from ._script import Attribute as Attribute
from ._script import Final as Final
from ._script import ScriptFunction as ScriptFunction
from ._script import ScriptModule as ScriptModule
from ._script import annotate as annotate
from ._script import export as export
from ._script import freeze as freeze
from ._script import ignore as ignore
from ._script import interface as interface
from ._script import is_scripting as is_scripting
from ._script import is_tracing as is_tracing
from ._script import optimize_for_inference as optimize_for_inference
from ._script import script as script
from ._script import script_if_tracing as script_if_tracing
from ._script import script_method as script_method
from ._script import trace as trace
from ._script import trace_module as trace_module
from ._script import unused as unused
from ._serialization import load as load
from ._serialization import save as save

__all__ = [
    "Attribute",
    "Final",
    "Future",
    "ScriptFunction",
    "ScriptModule",
    "annotate",
    "export",
    "fork",
    "freeze",
    "ignore",
    "interface",
    "is_scripting",
    "is_tracing",
    "load",
    "optimize_for_inference",
    "save",
    "script",
    "script_if_tracing",
    "script_method",
    "trace",
    "trace_module",
    "unused",
    "wait",
]
