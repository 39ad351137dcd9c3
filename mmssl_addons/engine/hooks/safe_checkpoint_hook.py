"""Checkpoints that load under ``torch.load(weights_only=True)``."""
import numbers
from collections import OrderedDict
from typing import Any

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmpretrain.registry import HOOKS

_BUFFER_TAG = '__mmssl_history_buffer__'


def to_weights_only_safe(obj: Any) -> Any:
    """Recursively turn ``obj`` into types ``weights_only`` unpickling allows.

    numpy arrays become tensors, numpy scalars Python numbers and
    :class:`HistoryBuffer` a tagged dict (undone by
    :func:`restore_history_buffers`). Tensors, Python scalars, strings,
    ``None`` and (ordered) dicts, lists and tuples are kept.
    """
    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {
            _BUFFER_TAG: True,
            'log_history': torch.as_tensor(np.asarray(log, dtype=np.float64)),
            'count_history':
            torch.as_tensor(np.asarray(count, dtype=np.float64)),
            'max_length': int(obj.max_length),
        }
    if isinstance(obj, torch.Tensor) or obj is None or isinstance(
            obj, (str, bytes, bool)):
        return obj
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(obj))
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, numbers.Number):
        return obj
    if isinstance(obj, OrderedDict):
        return OrderedDict(
            (k, to_weights_only_safe(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: to_weights_only_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_weights_only_safe(v) for v in obj)
    return obj  # left as is: torch will name it when it refuses to load


def restore_history_buffers(obj: Any) -> Any:
    """Inverse of :func:`to_weights_only_safe` for history buffers."""
    if isinstance(obj, dict) and obj.get(_BUFFER_TAG):
        return HistoryBuffer(obj['log_history'].tolist(),
                             obj['count_history'].tolist(), obj['max_length'])
    if isinstance(obj, OrderedDict):
        return OrderedDict(
            (k, restore_history_buffers(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: restore_history_buffers(v) for k, v in obj.items()}
    return obj


@HOOKS.register_module()
class SafeCheckpointHook(Hook):
    """Write checkpoints that ``torch.load`` accepts with ``weights_only``.

    torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine
    0.10.7 checkpoints hold :class:`HistoryBuffer` objects and numpy values
    in ``message_hub``/``meta``, so ``--resume`` fails. Allow-listing them
    would need ``builtins.getattr`` (numpy 2 pickles), which is unsafe, so
    instead this hook stores those values as tensors and plain Python
    (``before_save_checkpoint``) and rebuilds the history buffers after
    loading (``after_load_checkpoint``). The safety check stays on for every
    checkpoint, including ones from outside.

    It runs last among ``before_save_checkpoint`` hooks (priority
    ``LOWEST``) so that what other hooks add is made safe too.
    """

    priority = 'LOWEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in list(checkpoint):
            if key != 'state_dict':
                checkpoint[key] = to_weights_only_safe(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = restore_history_buffers(
                checkpoint['message_hub'])
