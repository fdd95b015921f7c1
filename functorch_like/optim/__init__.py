"""torch.optim: PyTorch-style optimizers over the pure core, and LR schedulers."""

from . import lr_scheduler as lr_scheduler
from .adadelta import Adadelta as Adadelta
from .adafactor import Adafactor as Adafactor
from .adagrad import Adagrad as Adagrad
from .adam import Adam as Adam
from .adam import AdamW as AdamW
from .adamax import Adamax as Adamax
from .asgd import ASGD as ASGD
from .lbfgs import LBFGS as LBFGS
from .muon import Muon as Muon
from .nadam import NAdam as NAdam
from .optax_optimizer import OptaxOptimizer as OptaxOptimizer
from .optimizer import Optimizer as Optimizer
from .optimizer import compile_count as compile_count
from .radam import RAdam as RAdam
from .rmsprop import RMSprop as RMSprop
from .rprop import Rprop as Rprop
from .sgd import SGD as SGD
from .sparse_adam import SparseAdam as SparseAdam
from . import swa_utils as swa_utils

__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS",
           "NAdam",
           "OptaxOptimizer", "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "compile_count",
           "lr_scheduler", "swa_utils"]
__all__ += ["Muon", "SparseAdam"]
