"""The "Learn the Basics" tutorials (pytorch.org/tutorials: "Tensors", "Automatic
Differentiation with torch.autograd" with "A Gentle Introduction to torch.autograd",
"Build the Neural Network", "Optimizing Model Parameters", "Save and Load the Model"),
each run whole with `import torch` and with `import functorch_like as torch`: the printed
output must match. Random initial values are replaced by the same numbers in both runs
(the two libraries' random streams differ by design).
"""

import numpy as np
import pytest
import torch

from _printout_parity import assert_same_printout


def tensors_tutorial(torch):
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    x_ones = torch.ones_like(x_data)
    print(f"Ones Tensor: \n {x_ones} \n", x_np)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    print(f"Random Tensor: \n {x_rand.shape} {x_rand.dtype} \n")
    shape = (2, 3,)
    print(f"Random Tensor: \n {torch.rand(shape).shape} \n")
    print(f"Ones Tensor: \n {torch.ones(shape)} \n")
    print(f"Zeros Tensor: \n {torch.zeros(shape)}")
    tensor = torch.rand(3, 4)
    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")
    if torch.accelerator.is_available():
        tensor = tensor.to(torch.accelerator.current_accelerator())
    tensor = torch.ones(4, 4)
    print(f"First row: {tensor[0]}")
    print(f"First column: {tensor[:, 0]}")
    print(f"Last column: {tensor[..., -1]}")
    tensor[:, 1] = 0
    print(tensor)
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)
    tensor = torch.arange(16.).reshape(4, 4) / 7
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    print(y1, y2, y3, z1, z2, z3)
    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))
    print(f"{tensor} \n")
    tensor.add_(5)
    print(tensor)
    t = torch.ones(5)
    print(f"t: {t}")
    print(f"n: {t.numpy()}")


def autograd_tutorial(torch):
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3),
                     requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
    loss.backward()
    print(w.grad)
    print(b.grad)
    z = torch.matmul(x, w) + b
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    print(z.requires_grad)
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    print(z_det.requires_grad)
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")
    # "A Gentle Introduction to torch.autograd"
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a**3 - b**2
    Q.backward(gradient=torch.tensor([1., 1.]))
    print(9 * a**2 == a.grad, -2 * b == b.grad, Q)
    x, y, z = torch.ones(5, 5), torch.ones(5, 5), torch.ones((5, 5), requires_grad=True)
    print(f"Does `a` require gradients?: {(x + y).requires_grad}")
    print(f"Does `b` require gradients?: {(x + z).requires_grad}")
    r = (z * 2).detach().requires_grad_()
    print(r.requires_grad, r.is_leaf, out.grad_fn.next_functions)


def build_nn_tutorial(torch, weights):
    nn = torch.nn
    device = torch.accelerator.current_accelerator().type \
        if torch.accelerator.is_available() else "cpu"
    print(f"Using {device} device")

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 16),
                nn.ReLU(),
                nn.Linear(16, 16),
                nn.ReLU(),
                nn.Linear(16, 10),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    print(model)
    model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    X = torch.tensor(np.linspace(0, 1, 28 * 28, dtype=np.float32).reshape(1, 28, 28))
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    print(f"Predicted class: {y_pred}")
    input_image = torch.cat([X, X.flip(1), X * 0.5])
    print(input_image.size())
    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    print(flat_image.size())
    layer1 = nn.Linear(in_features=28 * 28, out_features=20)
    print(layer1)
    layer1.load_state_dict({"weight": torch.tensor(weights["linear_relu_stack.0.weight"])
                            .repeat(2, 1)[:20], "bias": torch.zeros(20)})
    hidden1 = layer1(flat_image)
    print(hidden1.size())
    print(f"Before ReLU: {hidden1}\n\n")
    hidden1 = nn.ReLU()(hidden1)
    print(f"After ReLU: {hidden1}")
    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))
    print(seq_modules)
    softmax = nn.Softmax(dim=1)
    print(softmax)
    print(f"Model structure: {model}\n\n")
    for name, param in model.named_parameters():
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")


def _nn_weights():
    model = torch.nn.Sequential(torch.nn.Linear(784, 16), torch.nn.ReLU(),
                                torch.nn.Linear(16, 16), torch.nn.ReLU(),
                                torch.nn.Linear(16, 10))
    return {f"linear_relu_stack.{k}": v.detach().numpy() for k, v in
            model.state_dict().items()}


@pytest.mark.parametrize("script", [
    tensors_tutorial, autograd_tutorial,
    lambda torch, weights=_nn_weights(): build_nn_tutorial(torch, weights),
], ids=["tensors", "autograd", "build_the_neural_network"])
def test_basics_tutorials(script):
    assert_same_printout(script)


def optimization_tutorial(torch, weights, tmp_path):
    """"Optimizing Model Parameters" on a synthetic dataset (no downloads), then "Save and
    Load the Model" with state_dict and a checkpoint dict."""
    nn = torch.nn
    DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset
    rs = np.random.RandomState(0)
    centers = rs.randn(10, 28 * 28).astype(np.float32)
    labels = rs.randint(0, 10, 240)
    images = (centers[labels] + 2 * rs.randn(240, 28 * 28)).astype(np.float32)
    images = images.reshape(240, 28, 28)
    training_data = TensorDataset(torch.tensor(images[:192]), torch.tensor(labels[:192]))
    test_data = TensorDataset(torch.tensor(images[192:]), torch.tensor(labels[192:]))

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                nn.Linear(16, 10))

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork()
    model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    learning_rate = 1e-2
    batch_size = 16
    epochs = 2
    train_dataloader = DataLoader(training_data, batch_size=batch_size)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 4 == 0:
                loss, current = loss.item(), batch * batch_size + len(X)
                print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        test_loss /= num_batches
        correct /= size
        print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")

    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    print("Done!")
    # "Save and Load the Model"
    path = str(tmp_path / f"model_weights_{torch.__name__}.pth")
    torch.save(model.state_dict(), path)
    model2 = NeuralNetwork()
    print(model2.load_state_dict(torch.load(path, weights_only=True)))
    model2.eval()
    X, _ = next(iter(test_dataloader))
    print(model2(X)[:2])
    checkpoint = str(tmp_path / f"checkpoint_{torch.__name__}.pt")
    torch.save({"epoch": epochs, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": 0.25}, checkpoint)
    loaded = torch.load(checkpoint, weights_only=True)
    optimizer2 = torch.optim.SGD(model2.parameters(), lr=0.5)
    optimizer2.load_state_dict(loaded["optimizer_state_dict"])
    print(loaded["epoch"], loaded["loss"], optimizer2.state_dict()["param_groups"])


def test_optimization_and_save_load_tutorials(tmp_path):
    assert_same_printout(optimization_tutorial, _nn_weights(), tmp_path)
