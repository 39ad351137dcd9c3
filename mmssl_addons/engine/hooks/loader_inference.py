"""One eval-mode pass of a model over a dataloader, and the runner's
training set, for hooks."""
from contextlib import contextmanager
from typing import Iterator, List, Tuple

import torch
from mmengine.model import is_model_wrapper


def train_dataset(runner):
    """``runner.train_dataloader.dataset`` while ``runner.train()`` runs,
    else None.

    ``runner.test()`` loads checkpoints too, and there ``train_dataloader``
    would build the unused train loop; ``train()`` builds the optimizer
    wrapper before any hook runs, which tells the two apart.
    """
    from mmengine.optim import BaseOptimWrapper
    if not isinstance(
            getattr(runner, 'optim_wrapper', None), BaseOptimWrapper):
        return None
    return getattr(runner.train_dataloader, 'dataset', None)


def unwrap_model(model):
    """The model inside a DDP / MMDistributedDataParallel wrapper."""
    return model.module if is_model_wrapper(model) else model


@contextmanager
def eval_mode(model):
    """Put ``model`` in eval mode; restore its train/eval mode on exit."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def preprocessed_batches(model, loader) -> Iterator[Tuple[torch.Tensor, List]]:
    """Yield ``(inputs, data_samples)`` for each batch of ``loader``.

    ``inputs`` ``(N, C, H, W)`` went through ``model.data_preprocessor``;
    of a multi-view batch (a list of views) only the first view is kept.
    Call it under ``torch.no_grad()`` and :func:`eval_mode`.
    """
    for data in loader:
        data = model.data_preprocessor(data, False)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = inputs[0]
        yield inputs, data['data_samples']
