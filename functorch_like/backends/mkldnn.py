"""torch.backends.mkldnn: oneDNN, which XLA's CPU backend does not use here."""

enabled = True


def is_available() -> bool:
    return False
