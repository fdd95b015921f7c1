"""torch.nn.utils: gradient clipping, parameter/vector conversion, padded and packed sequences."""
