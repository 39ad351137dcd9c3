"""Pretrain -> extract_backbone -> mmdet Mask R-CNN, mmseg UPerNet, mmpose
top-down training and tools/test.py evaluation with the real COCO, mIoU and
keypoint metrics, on the synthetic exports, on CPU.

All tool invocations run one after the other in ONE Python process
(``runpy`` with the tools' own command lines), which saves the ~10 s import
of the OpenMMLab stack per step; each step is exactly what a user types
(only mmengine's yapf formatting of logged configs is switched off).
"""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

pytest.importorskip('mmdet')
pytest.importorskip('mmseg')
pytest.importorskip('mmpose')

PRETRAIN = 'configs/lcr/mocov2_synthetic_demo.py'
DET = 'benchmarks/mmdetection/mask-rcnn_r18-small-fpn_synthetic.py'
SEG = 'benchmarks/mmsegmentation/upernet_r18-small_synthetic.py'
POSE = 'benchmarks/mmpose/td-hm_r18-small_synthetic.py'

# Test-speed only: mmengine formats every config it logs / dumps with yapf
# (~1 s of CPU each, ~30 s over the 8 runs); the unformatted text is the
# same Python.
DRIVER = r'''
import json, runpy, sys
import mmengine.config.config as mm_config
mm_config.FormatCode = lambda text, **kwargs: (text, False)
for argv in json.loads(sys.argv[1]):
    sys.argv = argv
    try:
        runpy.run_path(argv[0], run_name='__main__')
    except SystemExit as err:
        if err.code not in (0, None):
            raise
    print('[step done]', ' '.join(argv[:2]), flush=True)
'''


def _coco_options(root, pretrained):
    ann = osp.join(root, 'annotations', 'instances_val.json')
    return [
        f'pretrained={pretrained}',
        f'train_dataloader.dataset.data_root={root}/',
        f'val_dataloader.dataset.data_root={root}/',
        f'test_dataloader.dataset.data_root={root}/',
        f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}'
    ]


def _seg_options(root, pretrained):
    return [f'pretrained={pretrained}'] + [
        f'{split}_dataloader.dataset.data_root={root}/'
        for split in ('train', 'val', 'test')
    ]


SHORT = [
    'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
    'default_hooks.logger.interval=1'
]


@pytest.fixture(scope='module')
def transfer(repo_root, tiny_cub, tmp_path_factory):
    from mmssl_addons.synthetic.export import export_synthetic
    work = tmp_path_factory.mktemp('transfer')
    data = str(work / 'data')
    export_synthetic(tiny_cub, data)
    pre = str(work / 'pretrain')
    backbone = str(work / 'backbone.pth')
    steps = [[
        'tools/train.py', PRETRAIN, '--work-dir', pre, '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_cub}',
        f'test_dataloader.dataset.data_root={tiny_cub}',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'train_cfg.max_epochs=1',
        'default_hooks.checkpoint.interval=1', 'custom_hooks=[]'
    ],
             [
                 'tools/model_converters/extract_backbone.py',
                 osp.join(pre, 'epoch_1.pth'), backbone, '--encoder', 'online'
             ]]
    tasks = {
        'det': (DET, _coco_options(osp.join(data, 'coco'), backbone)),
        'seg': (SEG, _seg_options(osp.join(data, 'ade'), backbone)),
        'pose': (POSE, _coco_options(osp.join(data, 'coco'), backbone)),
    }
    for name, (cfg, options) in tasks.items():
        out = str(work / name)
        steps.append([
            'tools/train.py', cfg, '--work-dir', out, '--no-validate',
            '--cfg-options', *options, *SHORT
        ])
        steps.append([
            'tools/test.py', cfg,
            osp.join(out, 'iter_2.pth'), '--work-dir', out, '--out',
            osp.join(out, 'metrics.json'), '--cfg-options', *options
        ])
    proc = subprocess.run([sys.executable, '-c', DRIVER,
                           json.dumps(steps)],
                          cwd=repo_root,
                          capture_output=True,
                          text=True,
                          timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-5000:]
    return dict(
        work=str(work),
        backbone=backbone,
        log=log,
        pretrain=osp.join(pre, 'epoch_1.pth'))


def _metrics(transfer, name):
    with open(osp.join(transfer['work'], name, 'metrics.json')) as f:
        return json.load(f)


def test_all_steps_ran(transfer):
    assert transfer['log'].count('[step done]') == 8


def test_detection_metrics(transfer):
    metrics = _metrics(transfer, 'det')
    for kind in ('bbox', 'segm'):
        for key in ('mAP', 'mAP_50', 'mAP_75'):
            value = metrics[f'coco/{kind}_{key}']
            assert 0.0 <= value <= 1.0


def test_segmentation_metrics(transfer):
    metrics = _metrics(transfer, 'seg')
    assert set(metrics) >= {'mIoU', 'aAcc', 'mAcc'}
    assert 0.0 <= metrics['mIoU'] <= 100.0


def test_keypoint_metrics(transfer):
    metrics = _metrics(transfer, 'pose')
    for key in ('coco/AP', 'coco/AP .5', 'coco/AR'):
        assert 0.0 <= metrics[key] <= 1.0


@pytest.mark.parametrize('name', ['det', 'seg', 'pose'])
def test_backbone_started_from_the_pretrained_weights(transfer, name):
    """After 2 small steps the fine-tuned backbone is still within a few
    percent of the extracted weights (a fresh init would be ~100% away),
    and it differs from them (it was trained)."""
    pre = torch.load(transfer['backbone'], weights_only=True)['state_dict']
    tuned = torch.load(
        osp.join(transfer['work'], name, 'iter_2.pth'),
        weights_only=True)['state_dict']
    for key in ('conv1.weight', 'layer1.0.conv1.weight',
                'layer4.1.conv2.weight'):
        a, b = pre[key], tuned[f'backbone.{key}']
        rel = ((a - b).norm() / a.norm()).item()
        assert rel < 0.05, (key, rel)
    assert any(not torch.equal(pre[k], tuned[f'backbone.{k}']) for k in pre
               if pre[k].is_floating_point())
    # and the extracted weights are the pretrained online encoder's
    full = torch.load(transfer['pretrain'], weights_only=True)['state_dict']
    assert torch.equal(full['backbone.conv1.weight'], pre['conv1.weight'])
