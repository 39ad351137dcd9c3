"""Run a module without touching the running statistics of its norms."""
import contextlib
from typing import Iterator

import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


@contextlib.contextmanager
def preserved_norm_stats(module: nn.Module) -> Iterator[None]:
    """BatchNorm layers of ``module`` neither read nor update running stats.

    A second forward pass in train mode (e.g. recomputing a head to take a
    gradient) would otherwise update ``running_mean``/``running_var`` and
    ``num_batches_tracked`` a second time for the same batch. Inside the
    context every training-mode BatchNorm normalises with the batch's
    statistics, exactly as in the first pass, and writes nothing (so no
    tensor saved by the first pass's graph is modified in place).
    """
    layers = [
        layer for layer in module.modules() if isinstance(layer, _BatchNorm)
        and layer.training and layer.track_running_stats
    ]
    for layer in layers:
        layer.track_running_stats = False
    try:
        yield
    finally:
        for layer in layers:
            layer.track_running_stats = True
