"""Optimizers of the pure core: optax GradientTransformations with PyTorch's update rules.

Each factory validates its arguments as torch.optim does, returns an `init`/`update` pair,
and keeps its numeric hyperparameters in `state.hyperparams` (so a jitted update never
recompiles when they change; see `set_hyperparams`). Apply updates with
`optax.apply_updates(params, updates)`.
"""

from ._adagrad import AdagradState as AdagradState
from ._adagrad import adagrad as adagrad
from ._adam import AdamState as AdamState
from ._adam import adam as adam
from ._adam import adamw as adamw
from ._base import set_hyperparams as set_hyperparams
from ._rmsprop import RMSpropState as RMSpropState
from ._rmsprop import rmsprop as rmsprop
from ._sgd import SGDState as SGDState
from ._sgd import sgd as sgd

__all__ = ["AdagradState", "AdamState", "RMSpropState", "SGDState", "adagrad", "adam",
           "adamw", "rmsprop", "set_hyperparams", "sgd"]
