"""Parity odds and ends against torch 2.13: out= type names, LambdaLR with tensor
factors, create_graph gradients that do not depend on the input, DistributedSampler
defaults, optimizer state after a parameter changes shape, DataLoader workers."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


# ---- out= names the type as torch's argument parser does ----------------------------------

def _out_candidates(lib):
    return [int, lib.float32, 2.5, lib.nn.Linear(1, 1), np.zeros(2), [1], lib.device("cpu"),
            lib.Size([2]), np.float32(1), lib.Generator()]


def test_out_argument_type_error_names_the_type_like_torch():
    for theirs, ours in zip(_out_candidates(torch), _out_candidates(fl)):
        expected = error_of(lambda: torch.sin(torch.ones(2), out=theirs))
        assert error_of(lambda: fl.sin(fl.ones(2), out=ours)) == expected
        if isinstance(theirs, (float, np.floating)):
            continue   # torch's add takes a Python number as out= (a 0-d tensor it drops)
        expected = error_of(lambda: torch.add(torch.ones(2), 1, out=theirs))
        assert error_of(lambda: fl.add(fl.ones(2), 1, out=ours)) == expected
