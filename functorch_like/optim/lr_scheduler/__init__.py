"""torch.optim.lr_scheduler with PyTorch's recursive ("chainable") formulas, so the lr
sequences agree with PyTorch's to rounding. Schedulers only write `group["lr"]`; the
optimizer passes it as a value into its compiled step, so no schedule ever recompiles.

The attributes (and so `state_dict()`'s keys) are torch's, set in torch's order, so a
scheduler state_dict saved by torch loads here and the reverse."""

from ._base import LRScheduler
from ._simple import StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR
from ._cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from ._lambda import LambdaLR, MultiplicativeLR
from ._sequential import SequentialLR, ChainedScheduler
from ._cyclic import CyclicLR
from ._one_cycle import OneCycleLR
from ._plateau import ReduceLROnPlateau
from ._base import EPOCH_DEPRECATION_WARNING


class _LRScheduler(LRScheduler):
    """The pre-2.0 name of LRScheduler, kept for subclasses written against it (torch's
    own alias)."""


__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
    "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "LambdaLR",
    "MultiplicativeLR", "SequentialLR", "ChainedScheduler", "CyclicLR", "OneCycleLR",
    "ReduceLROnPlateau"
]
