"""The bare model and the training set of a runner, for hooks."""
from mmengine.model import is_model_wrapper
from mmengine.optim import BaseOptimWrapper


def unwrap_model(model):
    """The model inside a DDP / MMDistributedDataParallel wrapper."""
    return model.module if is_model_wrapper(model) else model


def train_dataset(runner):
    """``runner.train_dataloader.dataset`` while ``runner.train()`` runs,
    else None.

    ``runner.test()`` loads checkpoints too, and there ``train_dataloader``
    would build the unused train loop; ``train()`` builds the optimizer
    wrapper before any hook runs, which tells the two apart.
    """
    if not isinstance(
            getattr(runner, 'optim_wrapper', None), BaseOptimWrapper):
        return None
    return getattr(runner.train_dataloader, 'dataset', None)
