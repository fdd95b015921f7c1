"""The classic PyTorch workflow, with only the import changed: a Linear model, MSELoss,
SGD, zero_grad/backward/step, evaluation under no_grad, save and load of the state_dict.

    python examples/linear_regression.py [--epochs 200]
"""

import argparse
import os
import tempfile

import functorch_like as torch
import functorch_like.nn as nn


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    true_w, true_b = torch.tensor([[2.0, -3.0, 0.5]]), 0.7
    x = torch.randn(256, 3)
    y = x @ true_w.T + true_b + 0.01 * torch.randn(256, 1)
    x_test = torch.randn(64, 3)
    y_test = x_test @ true_w.T + true_b

    model = nn.Linear(3, 1)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    for epoch in range(args.epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        if epoch % 50 == 0:
            print(f"epoch {epoch:3d}  loss {loss.item():.6f}")

    model.eval()
    with torch.no_grad():
        test_loss = criterion(model(x_test), y_test).item()
    print(f"test loss {test_loss:.6f}; weight {model.weight.data}, bias {model.bias.data}")

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "linear.pt")
        torch.save(model.state_dict(), path)
        restored = nn.Linear(3, 1)
        restored.load_state_dict(torch.load(path))
        with torch.no_grad():
            assert torch.equal(restored(x_test), model(x_test))
    print("saved and reloaded the state_dict: identical predictions")
    return test_loss


if __name__ == "__main__":
    main()
