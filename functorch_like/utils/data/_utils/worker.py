"""torch.utils.data._utils.worker: get_worker_info and WorkerInfo under torch's path."""

from .._worker import WorkerInfo as WorkerInfo
from .._worker import get_worker_info as get_worker_info
