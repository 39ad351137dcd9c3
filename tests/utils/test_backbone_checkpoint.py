"""Backbone extraction from training checkpoints (online / teacher)."""
import pickle

import pytest
import torch

from mmssl_addons.utils import (backbone_kind, extract_backbone_state,
                                load_state_dict, save_checkpoint_atomic)


def _resnet_like(prefix, value):
    return {
        f'{prefix}conv1.weight': torch.full((2, 3, 1, 1), value),
        f'{prefix}layer1.0.conv1.weight': torch.full((2, 2, 1, 1), value),
    }


def _moco_state():
    state = {}
    state.update(_resnet_like('backbone.', 1.0))
    state.update(_resnet_like('encoder_k.module.0.', 2.0))
    state['encoder_k.module.1.fc.weight'] = torch.zeros(3, 2)
    state['neck.fc.weight'] = torch.zeros(3, 2)
    state['queue'] = torch.zeros(3, 8)
    return state


def test_online_and_teacher_are_the_right_encoders():
    state = _moco_state()
    online = extract_backbone_state(state, 'online')
    teacher = extract_backbone_state(state, 'teacher')
    assert set(online) == set(teacher) == {
        'conv1.weight', 'layer1.0.conv1.weight'
    }
    assert torch.all(online['conv1.weight'] == 1)
    assert torch.all(teacher['conv1.weight'] == 2)
    assert backbone_kind(online) == 'resnet'


@pytest.mark.parametrize('prefix', [
    'momentum_encoder.module.0.', 'target_net.module.0.', 'teacher.backbone.'
])
def test_teacher_prefix_conventions(prefix):
    state = _resnet_like('backbone.', 1.0)
    state.update(_resnet_like(prefix, 3.0))
    teacher = extract_backbone_state(state, 'teacher')
    assert torch.all(teacher['layer1.0.conv1.weight'] == 3)


def test_explicit_prefix_and_backbone_only_input():
    state = _moco_state()
    neck = extract_backbone_state(state, prefix='neck.')
    assert list(neck) == ['fc.weight']
    bare = _resnet_like('', 5.0)
    assert extract_backbone_state(bare, 'online') == bare
    vit = {'patch_embed.projection.weight': torch.zeros(1)}
    assert backbone_kind(vit) == 'vit'
    assert backbone_kind({'fc.weight': torch.zeros(1)}) == 'unknown'


def test_errors_name_the_problem_and_the_fix():
    state = _resnet_like('backbone.', 1.0)
    with pytest.raises(ValueError, match='--encoder online'):
        extract_backbone_state(state, 'teacher')
    with pytest.raises(ValueError, match='top-level names: head'):
        extract_backbone_state({'head.fc.weight': torch.zeros(1)})
    with pytest.raises(ValueError, match='encoder must be one of'):
        extract_backbone_state(state, 'student')


def test_load_state_dict_formats_and_safety(tmp_path):
    state = _moco_state()
    wrapped = [
        dict(state_dict=state, meta=dict(epoch=1)),
        dict(model=state),
        {
            'module.' + k: v
            for k, v in state.items()
        },
    ]
    for i, wrap in enumerate(wrapped):
        path = str(tmp_path / f'{i}.pth')
        save_checkpoint_atomic(wrap, path)
        loaded = load_state_dict(path)
        assert set(loaded) == set(state)
    with pytest.raises(FileNotFoundError, match='not found'):
        load_state_dict(str(tmp_path / 'missing.pth'))
    unsafe = tmp_path / 'unsafe.pth'
    with open(unsafe, 'wb') as f:
        pickle.dump({'state_dict': {'x': object()}}, f)
    with pytest.raises(ValueError, match='weights_only'):
        load_state_dict(str(unsafe))
    empty = str(tmp_path / 'empty.pth')
    torch.save({'meta': {'epoch': 1}}, empty)
    with pytest.raises(ValueError, match='no tensors'):
        load_state_dict(empty)


def _released_moco_state():
    """MoCo v2's released layout after ``module.``: encoder_q / encoder_k
    (torchvision ResNet whose fc is the MLP fc.0 / fc.2) and the queue."""
    state = {}
    for name, value in (('encoder_q.', 1.0), ('encoder_k.', 2.0)):
        state.update(_resnet_like(name, value))
        state[f'{name}fc.0.weight'] = torch.zeros(4, 2)
        state[f'{name}fc.2.weight'] = torch.zeros(3, 4)
    state['queue'] = torch.zeros(3, 8)
    return state


def test_released_moco_encoders_without_the_fc_mlp():
    state = _released_moco_state()
    teacher = extract_backbone_state(state, 'teacher')
    online = extract_backbone_state(state, 'online')
    assert set(teacher) == set(online) == {
        'conv1.weight', 'layer1.0.conv1.weight'
    }
    assert torch.all(teacher['conv1.weight'] == 2)
    assert torch.all(online['conv1.weight'] == 1)
    explicit = extract_backbone_state(state, prefix='encoder_q.')
    assert not any(k.startswith('fc.') for k in explicit)


def test_dino_top_level_student_teacher(tmp_path):
    import argparse
    path = str(tmp_path / 'dino.pth')
    torch.save(
        dict(
            student={
                f'module.{k}': v
                for k, v in _resnet_like('backbone.', 1.0).items()
            },
            teacher=_resnet_like('backbone.', 2.0),
            args=argparse.Namespace(arch='resnet50'),
            epoch=1), path)
    state = load_state_dict(path)
    assert torch.all(
        extract_backbone_state(state, 'teacher')['conv1.weight'] == 2)
    assert torch.all(
        extract_backbone_state(state, 'online')['conv1.weight'] == 1)
