"""torch's warning when an IterableDataset yields more than `len(dataloader)` promised."""

from __future__ import annotations

import warnings


class ReportedLength:
    """Counts what a DataLoader iterator yields, and warns as torch's
    `_BaseDataLoaderIter.__next__` does once the count passes the dataset length that
    `len(dataloader)` read before the iterator was made.

    PyTorch parity: torch compares the number of *yielded items* (batches when batching)
    with the dataset's length in *samples*, so with a batch_size it warns only past that
    many batches; this follows it.
    """

    def __init__(self, loader) -> None:
        self._reported = loader._IterableDataset_len_called if loader._iterable else None
        self._dataset = loader.dataset
        self._num_workers = loader.num_workers
        self._yielded = 0

    def count(self) -> None:
        """Called once per item the iterator returns."""
        self._yielded += 1
        if self._reported is None or self._yielded <= self._reported:
            return
        message = (f"Length of IterableDataset {self._dataset} was reported to be "
                   f"{self._reported}(when accessing len(dataloader)), but {self._yielded} "
                   "samples have been fetched. ")
        if self._num_workers > 0:
            message += ("For multiprocessing data-loading, this could be caused by not "
                        "properly configuring the IterableDataset replica at each worker. "
                        "Please see https://pytorch.org/docs/stable/data.html"
                        "#torch.utils.data.IterableDataset for examples.")
        warnings.warn(message, stacklevel=3)
