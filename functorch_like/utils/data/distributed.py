"""torch.utils.data.distributed.DistributedSampler: each replica's share of a dataset."""

from __future__ import annotations

import math
from typing import Iterator, TypeVar

from ..._random import Generator, randperm
from .dataset import Dataset
from .sampler import Sampler

T_co = TypeVar("T_co", covariant=True)


class DistributedSampler(Sampler[T_co]):
    """The indices of `dataset` that replica `rank` of `num_replicas` loads: the (shuffled
    or ordered) index list is padded by repeating its head (or, with drop_last, cut) to a
    multiple of num_replicas, and replica r takes every num_replicas-th index from r.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: number of replicas (default: the process group's world size; with
            no process group, as here, torch's ValueError).
        rank: this replica's index (default: the process group's rank, likewise).
        shuffle: permute the indices, by a generator seeded with `seed + epoch`, so every
            replica draws the same permutation; call `set_epoch(e)` before each epoch.
        seed: the shuffle seed, identical on all replicas.
        drop_last: drop the tail instead of padding.

    PyTorch parity: the same partition and padding as torch; with shuffle=True the
    permutation is another one (JAX's PRNG) but equally shared by all replicas.
    """

    def __init__(self, dataset: Dataset, num_replicas: int | None = None,
                 rank: int | None = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        from ... import distributed as dist     # (here: the package imports this module)
        # As torch: the defaults come from the default process group, which cannot be
        # initialized here, so leaving them out raises what torch raises without one
        # ("Default process group has not been initialized ...", ValueError).
        if num_replicas is None:
            num_replicas = dist.get_world_size()
        if rank is None:
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            # the largest evenly divisible length below the dataset's
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas)
                                         / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[T_co]:
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(f"Number of indices ({len(indices)}) does not match "
                                 f"total_size ({self.total_size})")
        indices = indices[self.rank:self.total_size:self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(f"Number of subsampled indices ({len(indices)}) does not "
                                 f"match num_samples ({self.num_samples})")
        return iter(indices)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which with `seed` picks the shuffle order of the next iteration."""
        self.epoch = epoch
