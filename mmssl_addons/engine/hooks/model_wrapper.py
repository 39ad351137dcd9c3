"""The bare model of a runner, for hooks."""
from mmengine.model import is_model_wrapper


def unwrap_model(model):
    """The model inside a DDP / MMDistributedDataParallel wrapper."""
    return model.module if is_model_wrapper(model) else model
