"""CLoVE configs carry the paper's settings."""
import os.path as osp

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.mark.parametrize('epochs', [200, 400])
def test_paper_settings(epochs):
    cfg = Config.fromfile(
        osp.join(
            REPO, 'configs/clove/'
            f'clove_resnet50_8xb256-coslr-{epochs}e_in1k.py'))
    m = cfg.model
    assert m.type == 'CLoVE' and m.backbone.depth == 50
    assert (m.neck.in_channels, m.neck.hid_channels,
            m.neck.out_channels) == (2048, 4096, 256)
    p = m.head.predictor
    assert (p.num_heads, p.head_dims, p.embed_dims,
            p.normalized) == (8, 32, 256, True)
    loss = m.head.loss
    assert (loss.margin, loss.topk, loss.get('loss_type',
                                             'rank')) == (100., 10, 'rank')
    assert m.t_pos == 0.7 and abs(m.base_momentum - 0.01) < 1e-12
    assert m.local_to_global and m.get('queue_len', 0) == 0
    opt = cfg.optim_wrapper.optimizer
    batch = cfg.train_dataloader.batch_size * 8
    assert batch == 2048 == cfg.auto_scale_lr.base_batch_size
    assert opt.type == 'LARS' and opt.lr == 1.0 * batch / 256
    assert opt.weight_decay == 2e-5
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.param_scheduler[-1].end == epochs
    views = cfg.train_dataloader.dataset.pipeline[1]
    assert views.type == 'MultiViewWithBoxes' and views.num_views == [1, 1, 6]
    assert [t[0].scale for t in views.transforms] == [224, 224, 96]
    assert 'view_boxes' in cfg.train_dataloader.dataset.pipeline[-1].meta_keys


def test_ablations_change_one_thing():
    base = Config.fromfile(
        osp.join(
            REPO, 'configs/clove/ablations/'
            'clove_resnet50_8xb256-coslr-50e_in1k.py'))
    assert base.train_cfg.max_epochs == 50

    def load(name):
        return Config.fromfile(
            osp.join(
                REPO, 'configs/clove/ablations/'
                f'clove_resnet50_8xb256-coslr-50e_in1k_{name}.py'))

    assert load('l2loss').model.head.loss.loss_type == 'l2'
    assert load('mhsa').model.head.predictor.normalized is False
    assert load('queue-inter').model.queue_len == 16384
    assert load('queue-inter-avg').model.queue_feature == 'avg'
    two = load('2views')
    assert two.train_dataloader.dataset.pipeline[1].num_views == [1, 1]
    assert not two.model.local_to_global


@pytest.mark.parametrize('name', [
    'clove_resnet50_8xb256-coslr-200e_in1k.py',
    'clove_resnet50_8xb256-coslr-400e_in1k.py',
    'ablations/clove_resnet50_8xb256-coslr-50e_in1k.py',
    'clove_r18s_synthetic_demo.py',
])
def test_released_projector_bn_and_loss_scale(name):
    """Released ``MLP2d`` ends with a non-affine BN; released logits are
    ``2 cos`` (loss weight 2, see docs/fidelity.md)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs/clove', name))
    assert cfg.model.neck.with_last_bn is True
    assert cfg.model.head.loss.loss_weight == 2.


def test_no_last_bn_ablation_changes_one_thing():
    base = Config.fromfile(
        osp.join(
            REPO, 'configs/clove/ablations/'
            'clove_resnet50_8xb256-coslr-50e_in1k.py'))
    abl = Config.fromfile(
        osp.join(
            REPO, 'configs/clove/ablations/'
            'clove_resnet50_8xb256-coslr-50e_in1k_no-last-bn.py'))
    assert abl.model.neck.with_last_bn is False
    abl.model.neck.with_last_bn = True
    assert abl.model.to_dict() == base.model.to_dict()
