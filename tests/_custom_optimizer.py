"""A user's optimizer, written as for PyTorch, that the optimizer and compile tests share."""

import importlib


def momentum_sgd(T):
    """A user's optimizer, written once against either library: weight decay and
    momentum branches on the group's values, state made at the first step."""
    required = importlib.import_module(f"{T.__name__}.optim.optimizer").required

    class MomentumSGD(T.optim.Optimizer):
        def __init__(self, params, lr=required, momentum=0.9,
                     weight_decay=0.0):
            super().__init__(params, dict(lr=lr, momentum=momentum,
                                          weight_decay=weight_decay))

        @T.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    d = p.grad
                    if group["weight_decay"] != 0:
                        d = d.add(p, alpha=group["weight_decay"])
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = T.tensor(0.0)
                        state["buf"] = d.clone()
                    else:
                        state["buf"].mul_(group["momentum"]).add_(d)
                    state["step"] += 1
                    p.add_(state["buf"], alpha=-group["lr"])
    return MomentumSGD
