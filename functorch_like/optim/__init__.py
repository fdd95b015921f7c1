"""torch.optim: PyTorch-style optimizers over the pure core, and LR schedulers."""

from . import lr_scheduler as lr_scheduler
from .adagrad import Adagrad as Adagrad
from .adam import Adam as Adam
from .adam import AdamW as AdamW
from .optax_optimizer import OptaxOptimizer as OptaxOptimizer
from .optimizer import Optimizer as Optimizer
from .optimizer import compile_count as compile_count
from .rmsprop import RMSprop as RMSprop
from .sgd import SGD as SGD

__all__ = ["Adagrad", "Adam", "AdamW", "OptaxOptimizer", "Optimizer", "RMSprop", "SGD",
           "compile_count", "lr_scheduler"]
