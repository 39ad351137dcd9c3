"""Every shipped config parses and builds its model and pipelines."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS, TRANSFORMS

import mmssl_addons  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


def pipelines(cfg):
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader:
            dataset = loader['dataset']
            while 'pipeline' not in dataset and 'dataset' in dataset:
                dataset = dataset['dataset']  # dataset wrappers
            yield dataset['pipeline']


def uses_hue(node):
    """Some ``ColorJitter`` of the config has ``hue > 0``."""
    if isinstance(node, dict):
        if str(node.get('type', '')).endswith('ColorJitter') and node.get(
                'hue', 0):
            return True
        node = list(node.values())
    return isinstance(node, (list, tuple)) and any(uses_hue(v) for v in node)


def build_transforms(pipeline):
    for t in pipeline:
        t = dict(t)
        if t['type'] in ('MultiView', 'RandomApply'):
            for inner in t['transforms']:
                build_transforms(inner if isinstance(inner, list) else [inner])
        TRANSFORMS.build(t)


def test_configs_found():
    names = {osp.relpath(p, REPO) for p in CONFIGS}
    for required in ('configs/lcr/moco_lcr_cub.py',
                     'configs/lcr/mocov2_cub.py',
                     'configs/lcr/byol_lcr_cub.py',
                     'configs/lcr/moco_lcr_cars.py',
                     'configs/lcr/moco_lcr_aircraft.py',
                     'configs/lcr/moco_lcr_synthetic_demo.py'):
        assert required in names


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, REPO) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert 'mmssl_addons' in cfg.custom_imports['imports']
    assert any(h['type'] == 'SafeCheckpointHook' for h in cfg.custom_hooks)
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    if uses_hue(cfg.to_dict()):  # the numpy-2 fix of mmcv's adjust_hue
        assert 'mmssl_addons.compat_numpy2' in cfg.custom_imports['imports']
    init_default_scope('mmpretrain')
    model_cfg = cfg.model.copy()
    if model_cfg['backbone'].get('init_cfg'):
        model_cfg['backbone'] = dict(model_cfg['backbone'], init_cfg=None)
    if model_cfg.get('memory_bank_size', 0) > 10000:
        # an ImageNet memory bank is 1.28M x 128 floats (656 MB): the size
        # is checked here, a small bank is built
        assert model_cfg['memory_bank_size'] == 1281167
        model_cfg['memory_bank_size'] = 1000
    model = MODELS.build(model_cfg)
    assert sum(p.numel() for p in model.parameters()) > 0
    for pipeline in pipelines(cfg):
        build_transforms(pipeline)


def test_lcr_cub_matches_paper_settings():
    cfg = Config.fromfile(osp.join(REPO, 'configs/lcr/moco_lcr_cub.py'))
    m = cfg.model
    assert m.backbone.depth == 50 and m.feat_dim == 256
    assert m.queue_len == 65536 and m.head.temperature == 0.2
    assert abs(m.momentum - 0.001) < 1e-12  # MoCo momentum 0.999
    gfb = m.gfb_head
    assert gfb.num_projections == 32 and gfb.loss.tau == 0.4
    assert gfb.loss.loss_weight == 0.01 and gfb.loss.reduction == 'sum'
    assert cfg.train_dataloader.batch_size == 32  # per GPU, x 4 GPUs
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 0.03,
                                                                  0.9, 1e-4)
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.train_dataloader.dataset.pipeline[1].transforms[0][0][
        'scale'] == 224
    # ImageNet init is an explicit switch; off, mmpretrain's ResNet keeps its
    # own Kaiming init (init_cfg=None would leave PyTorch's default init)
    assert 'init_cfg' not in m.backbone


def test_custom_imports_from_another_project(tmp_path):
    """A foreign config needs only custom_imports (fresh interpreter)."""
    import subprocess
    import sys
    cfg = tmp_path / 'other_project_cfg.py'
    cfg.write_text(
        "custom_imports = dict(imports=['mmssl_addons'], "
        'allow_failed_imports=False)\n'
        "model = dict(type='MoCoLCR', queue_len=32, feat_dim=8,\n"
        "    backbone=dict(type='ResNet', depth=18),\n"
        "    neck=dict(type='MoCoV2Neck', in_channels=512, hid_channels=16,\n"
        '        out_channels=8),\n'
        "    head=dict(type='ContrastiveHead',\n"
        "        loss=dict(type='CrossEntropyLoss')),\n"
        "    gfb_head=dict(type='GradCAMFittingHead', in_channels=512))\n")
    code = ('from mmengine.config import Config\n'
            'from mmpretrain.registry import MODELS\n'
            f'cfg = Config.fromfile({str(cfg)!r})\n'
            'model = MODELS.build(cfg.model)\n'
            'print(type(model).__name__, type(model.gfb_head).__name__)\n')
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'MoCoLCR GradCAMFittingHead' in out.stdout


def test_runner_of_a_config_has_our_hooks_without_injection(tmp_path):
    """mm's own tools/train.py: our hooks come from the config alone, and
    prepare_runner_config has nothing of ours to add."""
    import argparse

    from mmengine.runner import Runner

    from mmssl_addons.utils import prepare_runner_config
    path = osp.join(REPO, 'configs/lcr/mocov2_synthetic_demo.py')
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    names = [type(h).__name__ for h in runner.hooks]
    assert 'AtomicCheckpointHook' in names and 'CheckpointHook' not in names
    assert names.count('SafeCheckpointHook') == 1
    args = argparse.Namespace(
        launcher='none',
        cfg_options=None,
        work_dir=str(tmp_path),
        amp=False,
        resume=None,
        auto_scale_lr=False,
        no_validate=False)
    notes = []
    prepare_runner_config(Config.fromfile(path), args, True, notes)
    keys = [n.split(':', 1)[1].split('=')[0].strip() for _, n in notes]
    assert keys == ['launcher', 'work_dir']
