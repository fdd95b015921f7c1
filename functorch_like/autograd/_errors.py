"""PyTorch's autograd error texts, in one place."""

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


def no_grad_fn(i: int) -> str:
    return f"element {i} of tensors does not require grad and does not have a grad_fn"


SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"


def unused_input(i: int) -> str:
    return (f"The differentiated Tensor at index {i} appears to not have been used in the "
            "graph. Set allow_unused=True if this is the desired behavior.")


LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


def requires_grad_non_leaf(value: bool) -> str:
    msg = "you can only change requires_grad flags of leaf variables."
    if value:
        return msg
    return (msg + " If you want to use a computed variable in a subgraph that doesn't "
            "require differentiation use var_no_grad = var.detach().")

NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode "
    "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
    "can clarify your code by moving both the view and the inplace either both inside the "
    "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
    "want the inplace to be tracked).")
VIEW_OF_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an "
                        "in-place operation.")


# What the requires_grad setter raises for an integer or bool tensor; factories and
# Parameter say it with a capital O.
CANNOT_REQUIRE_GRAD = "only Tensors of floating point and complex dtype can require gradients"


def grad_dtype_mismatch(got_cpp_name: str, expected_scalar_type: str) -> str:
    """`tensor.grad = g` with g of another dtype (torch's names: 'double', 'Float')."""
    return (f"attempting to assign a gradient with dtype '{got_cpp_name}' to a tensor with "
            f"grad_dtype '{expected_scalar_type}'. The gradient must match the tensor's "
            "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
            "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
            "caution. Diverging the dtypes of a tensor and its gradient may break downstream "
            "systems that assume they match.")


# backward(create_graph=True)'s warning (torch's engine gives it once per process;
# autograd.grad does not).
CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this "
    "function, make sure to reset the .grad fields of your parameters to None after use "
    "to break the cycle and avoid the leak.")

DETACH_VIEW_INPLACE = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution.")
