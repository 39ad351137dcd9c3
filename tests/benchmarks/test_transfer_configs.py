"""Benchmark configs of benchmarks/{mmdetection,mmsegmentation,mmpose}:
one `pretrained` variable reaches every Pretrained init, overridable from
the command line; our hook resolves in their scopes; the models build."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmssl_addons.utils import prepare_runner_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCOPES = {
    'mmdetection': 'mmdet',
    'mmsegmentation': 'mmseg',
    'mmpose': 'mmpose'
}
CONFIGS = sorted(
    p for folder in SCOPES
    for p in glob.glob(osp.join(REPO, 'benchmarks', folder, '*.py')))


def _checkpoints(node, found):
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained':
            found.append(node['checkpoint'])
        if 'pretrained' in node and node['pretrained'] is not None:
            found.append(node['pretrained'])
        for value in node.values():
            _checkpoints(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _checkpoints(value, found)
    return found


def _scope(path):
    return SCOPES[osp.basename(osp.dirname(path))]


def test_every_benchmark_is_listed():
    names = {osp.relpath(p, REPO) for p in CONFIGS}
    for name in ('mask-rcnn_r50-c4-extranorm_syncbn_1x_coco',
                 'mask-rcnn_r50-c4-extranorm_syncbn_2x_coco',
                 'mask-rcnn_r50-fpn_syncbn_1x_coco',
                 'faster-rcnn_r50-c4-extranorm_syncbn_24k_voc0712',
                 'cascade-mask-rcnn_r50-fpn_syncbn_1x_coco',
                 'mask-rcnn_r18-small-fpn_synthetic'):
        assert f'benchmarks/mmdetection/{name}.py' in names
    for name in ('upernet_r50_syncbn_160k_ade20k-512x512',
                 'upernet_vit-b16_mln_160k_ade20k-512x512',
                 'upernet_r18-small_synthetic'):
        assert f'benchmarks/mmsegmentation/{name}.py' in names
    for name in ('td-hm_r50_210e_coco-256x192', 'td-hm_r18-small_synthetic'):
        assert f'benchmarks/mmpose/{name}.py' in names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_one_pretrained_variable_overridable(path, train_args):
    pytest.importorskip(_scope(path))
    cfg = Config.fromfile(path)
    assert cfg.default_scope == _scope(path)
    assert isinstance(cfg.pretrained, str)
    found = _checkpoints(cfg.model.to_dict(), [])
    assert found and set(found) == {cfg.pretrained}
    # the backbone itself is initialised from it
    assert cfg.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint=cfg.pretrained)
    if 'c4' in osp.basename(path):
        head = cfg.model.roi_head.shared_head
        assert head.type == 'ResLayerExtraNorm'
        assert head.norm_cfg.type == 'SyncBN' and not head.norm_eval
    cfg = prepare_runner_config(
        cfg, train_args(cfg_options={'pretrained': '/x/backbone.pth'}), True)
    assert set(_checkpoints(cfg.model.to_dict(), [])) == {'/x/backbone.pth'}
    hooks = [h['type'] for h in cfg.custom_hooks]
    assert hooks.count('mmpretrain.SafeCheckpointHook') == 1
    assert 'SafeCheckpointHook' not in hooks


def test_safe_hook_scoping_and_untouched_mmpretrain_configs(train_args):
    cfg = Config(
        dict(
            default_scope='mmdet',
            custom_hooks=[
                dict(type='SafeCheckpointHook'),
                dict(type='EMAHook')
            ]))
    cfg = prepare_runner_config(cfg, train_args(), False)
    assert cfg.custom_hooks == [
        dict(type='mmpretrain.SafeCheckpointHook'),
        dict(type='EMAHook')
    ]
    cfg = Config(dict(default_scope='mmseg'))
    cfg = prepare_runner_config(cfg, train_args(), False)
    assert cfg.custom_hooks == [dict(type='mmpretrain.SafeCheckpointHook')]
    cfg = Config(dict(default_scope='mmpretrain', custom_hooks=[]))
    cfg = prepare_runner_config(cfg, train_args(), False)
    assert cfg.custom_hooks == [dict(type='SafeCheckpointHook')]
    # the scoped name resolves from another scope's registry
    pytest.importorskip('mmdet')
    from mmdet.registry import HOOKS
    from mmengine.registry import DefaultScope

    import mmssl_addons  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmdet'):
        hook = HOOKS.build(dict(type='mmpretrain.SafeCheckpointHook'))
    assert type(hook).__name__ == 'SafeCheckpointHook'


def test_pretrained_override_leaves_other_checkpoints(train_args):
    cfg = Config(
        dict(
            pretrained='a.pth',
            model=dict(
                backbone=dict(
                    init_cfg=dict(type='Pretrained', checkpoint='a.pth')),
                head=dict(
                    init_cfg=dict(type='Pretrained', checkpoint='b.pth')))))
    cfg = prepare_runner_config(
        cfg, train_args(cfg_options={'pretrained': 'c.pth'}), False)
    assert cfg.model.backbone.init_cfg.checkpoint == 'c.pth'
    assert cfg.model.head.init_cfg.checkpoint == 'b.pth'


def test_mmpose_metainfo_matches_the_exporter():
    pytest.importorskip('mmpose')
    from mmpose.datasets.datasets.utils import parse_pose_metainfo

    from mmssl_addons.synthetic.export import keypoint_metainfo
    cfg = Config.fromfile(
        osp.join(REPO, 'benchmarks', 'mmpose', 'td-hm_r18-small_synthetic.py'))
    ours = parse_pose_metainfo(cfg.metainfo.to_dict())
    ref = parse_pose_metainfo(keypoint_metainfo())
    assert ours['keypoint_id2name'] == ref['keypoint_id2name']
    assert ours['skeleton_links'] == ref['skeleton_links']
    assert (ours['sigmas'] == ref['sigmas']).all()
    assert ours['flip_indices'] == list(range(6))


@pytest.mark.parametrize('name', [
    'mmdetection/mask-rcnn_r50-c4-extranorm_syncbn_1x_coco.py',
    'mmsegmentation/upernet_vit-b16_mln_160k_ade20k-512x512.py',
])
def test_paper_scale_models_build(name):
    path = osp.join(REPO, 'benchmarks', name)
    scope = _scope(path)
    pytest.importorskip(scope)
    from mmengine.registry import MODELS, DefaultScope, init_default_scope

    import mmssl_addons  # noqa: F401
    cfg = Config.fromfile(path)
    init_default_scope(scope)
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(cfg.model)
    if 'c4' in name:
        head = model.roi_head.shared_head
        assert isinstance(head.norm, torch.nn.SyncBatchNorm)
        assert head.norm.num_features == 2048
    else:
        assert type(model.backbone).__module__.startswith('mmpretrain')
        assert model.backbone.out_type == 'featmap'
