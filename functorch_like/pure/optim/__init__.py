"""Optimizers of the pure core: optax GradientTransformations with PyTorch's update rules.

Each factory validates its arguments as torch.optim does, returns an `init`/`update` pair,
and keeps its numeric hyperparameters in `state.hyperparams` (so a jitted update never
recompiles when they change; see `set_hyperparams`). Apply updates with
`optax.apply_updates(params, updates)`.
"""

from ._adadelta import AdadeltaState as AdadeltaState
from ._adadelta import adadelta as adadelta
from ._adafactor import AdafactorState as AdafactorState
from ._adafactor import adafactor as adafactor
from ._adagrad import AdagradState as AdagradState
from ._adagrad import adagrad as adagrad
from ._adam import AdamState as AdamState
from ._adam import adam as adam
from ._adam import adamw as adamw
from ._adamax import AdamaxState as AdamaxState
from ._adamax import adamax as adamax
from ._asgd import ASGDState as ASGDState
from ._asgd import asgd as asgd
from ._base import set_hyperparams as set_hyperparams
from ._clip import clip_grad_norm as clip_grad_norm
from ._clip import global_norm as global_norm
from ._muon import MuonState as MuonState
from ._muon import muon as muon
from ._nadam import NAdamState as NAdamState
from ._nadam import nadam as nadam
from ._radam import RAdamState as RAdamState
from ._radam import radam as radam
from ._rmsprop import RMSpropState as RMSpropState
from ._rmsprop import rmsprop as rmsprop
from ._rprop import RpropState as RpropState
from ._rprop import rprop as rprop
from ._sgd import SGDState as SGDState
from ._sgd import sgd as sgd
from ._sparse_adam import SparseAdamState as SparseAdamState
from ._sparse_adam import sparse_adam as sparse_adam

__all__ = ["ASGDState", "AdadeltaState", "AdafactorState", "AdagradState", "AdamState",
           "AdamaxState", "adafactor",
           "NAdamState", "RAdamState", "RMSpropState", "RpropState", "SGDState", "adadelta",
           "adagrad", "adam", "adamax", "adamw", "asgd", "clip_grad_norm", "global_norm",
           "nadam", "radam", "rmsprop", "rprop", "set_hyperparams", "sgd"]
__all__ += ["MuonState", "SparseAdamState", "muon", "sparse_adam"]
