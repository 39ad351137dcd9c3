"""init_model refuses cut-off and foreign checkpoints with a clear error."""
import argparse
import pickle

import pytest
import torch
from mmengine.config import Config

from mmssl_addons.utils import init_model
from mmssl_addons.utils.checkpoint_check import CheckpointError

CFG = dict(
    model=dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=18, base_channels=8),
        neck=dict(type='GlobalAveragePooling')))


def _saved(tmp_path):
    from mmpretrain.registry import MODELS

    import mmssl_addons  # noqa: F401
    model = MODELS.build(CFG['model'])
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return path


def test_a_complete_checkpoint_loads(tmp_path):
    model = init_model(Config(CFG), str(_saved(tmp_path)))
    assert not model.training


def test_a_cut_off_checkpoint_names_the_problem(tmp_path):
    path = _saved(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match='incomplete'):
        init_model(Config(CFG), str(path))


def test_a_foreign_pickle_is_refused_safely(tmp_path):
    path = tmp_path / 'foreign.pth'

    with open(path, 'wb') as f:  # a global weights_only does not allow
        pickle.dump({'state_dict': {}, 'args': argparse.Namespace(a=1)}, f)
    with pytest.raises(CheckpointError, match='weights_only=True'):
        init_model(Config(CFG), str(path))


def test_a_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match='not found'):
        init_model(Config(CFG), str(tmp_path / 'none.pth'))
