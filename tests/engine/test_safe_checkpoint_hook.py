"""SafeCheckpointHook: plain checkpoints that load with weights_only."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from mmssl_addons.engine.hooks.safe_checkpoint_hook import (
    SafeCheckpointHook, restore_history_buffers, to_weights_only_safe)


def mmengine_like_checkpoint():
    hub = MessageHub.get_instance('test_safe_ckpt')
    for i in range(3):
        hub.update_scalar('train/loss', np.float64(1.5 - i))
    hub.update_info('iter', 3)
    hub.update_info('np_value', np.float32(0.25))
    return {
        'meta': {
            'epoch': 1,
            'iter': 3,
            'seed': np.int64(7),
            'dataset_meta': {
                'classes': ('a', 'b')
            }
        },
        'state_dict': {
            'w': torch.ones(2)
        },
        'message_hub': hub.state_dict(),
        'optimizer': {
            'state': {
                0: {
                    'momentum_buffer': torch.zeros(2)
                }
            },
            'param_groups': [{
                'lr': 0.1,
                'params': [0]
            }]
        },
        'extra': np.arange(4),
    }


def test_plain_mmengine_checkpoint_is_refused_by_weights_only(tmp_path):
    path = tmp_path / 'raw.pth'
    torch.save(mmengine_like_checkpoint(), path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


def test_hook_makes_it_loadable_and_restores_buffers(tmp_path):
    ckpt = mmengine_like_checkpoint()
    original = ckpt['message_hub']['log_scalars']['train/loss']
    hook = SafeCheckpointHook()
    hook.before_save_checkpoint(None, ckpt)
    path = tmp_path / 'safe.pth'
    torch.save(ckpt, path)
    loaded = torch.load(path, weights_only=True)
    assert loaded['meta']['seed'] == 7 and isinstance(loaded['meta']['seed'],
                                                      int)
    assert torch.equal(loaded['extra'], torch.arange(4))
    hook.after_load_checkpoint(None, loaded)
    buf = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    np.testing.assert_allclose(buf.data[0], original.data[0])
    np.testing.assert_allclose(buf.data[1], original.data[1])
    assert buf.max_length == original.max_length
    assert buf.current() == original.current()
    assert loaded['message_hub']['runtime_info']['np_value'] == 0.25


def test_conversion_keeps_structure():
    obj = {'t': (1, np.float32(2.0), [np.int8(3)]), 'n': None, 's': 'x'}
    safe = to_weights_only_safe(obj)
    assert safe == {'t': (1, 2.0, [3]), 'n': None, 's': 'x'}
    assert restore_history_buffers(safe) == safe
