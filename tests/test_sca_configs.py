"""SCA configs carry the paper's settings."""
import os.path as osp

import torch
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs/sca', name))


def hook(cfg, kind):
    return next(h for h in cfg.custom_hooks if h['type'] == kind)


def test_imagenet_configs_match_paper():
    for name, base, clusters in (
        ('swav_sca_r50_8xb32-mcrop-200e_in1k.py', 'SwAVSCA', 3000),
        ('swav_sca_r50_8xb32-mcrop-200e_in50.py', 'SwAVSCA', 150),
        ('simsiam_sca_r50_8xb32-coslr-200e_in1k.py', 'SimSiamSCA', 3000),
    ):
        cfg = load(name)
        m = cfg.model
        assert m.type == base and m.backbone.depth == 50
        if base == 'SwAVSCA':
            assert m.head.loss.num_prototypes == clusters
            assert m.neck.out_channels == 128  # d = 128
        sca = m.sca_head
        assert sca.num_clusters == clusters and sca.in_channels == 2048
        assert sca.mask_loss.loss_weight == 0.05
        assert (sca.cls_loss.tau, sca.cls_loss.loss_weight) == (0.05, 0.1)
        ds = cfg.train_dataloader.dataset
        assert ds.type == 'SCAPositiveDataset'
        assert ds.num_positives == m.num_positives
        assert hook(cfg, 'SCAClusteringHook')['num_clusters'] == clusters
        assert hook(cfg, 'KNNMonitorHook')['k'] == 200
    in50 = load('swav_sca_r50_8xb32-mcrop-200e_in50.py')
    assert in50.train_dataloader.dataset.dataset.type == 'ImageNetClassSubset'
    from mmssl_addons.datasets import read_class_list
    classes = read_class_list(in50.train_dataloader.dataset.dataset.class_list)
    assert len(classes) == 50


def test_multistage_and_baseline_and_voc():
    multi = load('swav_sca_multistage_r50_8xb32-mcrop-200e_in50.py').model
    assert multi.sca_head.in_index == (0, 1, 2, 3)
    assert multi.sca_head.in_channels == 3840
    assert multi.sca_head.multi_stage_size == 28
    base = load('swav_r50_8xb32-mcrop-200e_in50.py')
    assert base.model.type == 'SwAV'
    assert base.model.head.loss.num_prototypes == 150
    assert base.train_dataloader.dataset.type == 'ImageNetClassSubset'
    assert not any(h['type'] == 'SCAClusteringHook' for h in base.custom_hooks)
    voc = load('voc_finetune/r50_sca_voc2012_multilabel_10e.py')
    assert voc.model.head.type == 'MultiLabelLinearClsHead'
    assert voc.model.head.loss.use_sigmoid  # BCE with logits
    assert any(e['type'] == 'VOCAveragePrecision' for e in voc.val_evaluator)
    assert voc.model.backbone.init_cfg.prefix == 'backbone.'
    opt = voc.optim_wrapper
    assert opt.optimizer.lr == 0.00015
    head_lr = opt.optimizer.lr * opt.paramwise_cfg.custom_keys.head.lr_mult
    assert abs(head_lr - 0.05) < 1e-12
    assert voc.train_cfg.max_epochs == 10
    assert voc.train_dataloader.batch_size == 16


def test_imagenet_sca_loader_gives_multicrop_plus_positives(tmp_path):
    """The paper config's train loader on a 4-image fake ImageNet."""
    import cv2
    import numpy as np
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    import mmssl_addons  # noqa: F401
    root = tmp_path / 'imagenet'
    (root / 'meta').mkdir(parents=True)
    (root / 'train').mkdir()
    rng = np.random.default_rng(0)
    lines = []
    for i in range(4):
        cv2.imwrite(
            str(root / 'train' / f'{i}.JPEG'),
            rng.integers(0, 255, (40, 48, 3), dtype=np.uint8))
        lines.append(f'{i}.JPEG {i % 2}')
    (root / 'meta' / 'train.txt').write_text('\n'.join(lines) + '\n')
    cfg = load('swav_sca_r50_8xb32-mcrop-200e_in1k.py')
    loader_cfg = cfg.train_dataloader
    loader_cfg.dataset.dataset.data_root = str(root)
    loader_cfg.update(batch_size=2, num_workers=0, persistent_workers=False)
    init_default_scope('mmpretrain')
    loader = Runner.build_dataloader(loader_cfg)
    loader.dataset.set_pseudo_labels(torch.tensor([0, 1, 0, 1]), epoch=0)
    batch = next(iter(loader))
    sizes = [x.shape[-1] for x in batch['inputs']]
    assert sizes == [224] * 2 + [96] * 6 + [224] * 2  # 2 + 6 crops + P=2
    assert all(x.shape[0] == 2 for x in batch['inputs'])
    for s in batch['data_samples']:
        assert all(j % 2 == s.sca_pseudo_label for j in s.sca_positive_idx)


PAPER_RATES = dict(  # supplementary 1.2: start, epoch 10, end
    core=(0.3, 3.6, 0.0036),
    attention=(0.015, 0.03, 1e-6))


def paper_rate(name, epoch):
    """The paper's schedule: linear warm-up over 10 of 200 epochs, then
    ``end + 0.5 (peak - end) (1 + cos(pi (e - 10) / 190))``."""
    import math
    start, peak, end = PAPER_RATES[name]
    if epoch < 10:
        return start + (peak - start) * epoch / 10
    return end + 0.5 * (peak - end) * (1 + math.cos(math.pi *
                                                    (epoch - 10) / 190))


def build_optim_and_schedulers(cfg, epoch_length):
    from mmengine.optim import build_optim_wrapper
    from mmpretrain.registry import MODELS, PARAM_SCHEDULERS

    import mmssl_addons  # noqa: F401
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    schedulers = [
        PARAM_SCHEDULERS.build(
            s, default_args=dict(optimizer=wrapper, epoch_length=epoch_length))
        for s in cfg.param_scheduler
    ]
    return model, wrapper, schedulers


def test_paper_schedule_two_rates_at_epochs_0_10_and_end():
    """The real optim wrapper and schedulers of the paper config hold the
    core-engine and attention-module rates of the paper."""
    import pytest
    cfg = load('swav_sca_r50_8xb32-mcrop-200e_in1k.py')
    assert cfg.train_cfg.max_epochs == 200
    assert cfg.auto_scale_lr.base_batch_size == 2048 == 64 * 32
    assert cfg.train_dataloader.batch_size == 32
    epoch_length = 20
    model, wrapper, schedulers = build_optim_and_schedulers(cfg, epoch_length)
    opt = wrapper.optimizer
    assert type(opt).__name__ == 'LARC'
    assert (opt.trust_coefficient, opt.clip) == (0.001, False)
    names = [g['name'] for g in opt.param_groups]
    assert names == ['attention', 'core']
    for g in opt.param_groups:
        assert (g['momentum'], g['weight_decay']) == (0.9, 1e-6)
    ids = {
        n: {id(p)
            for p in g['params']}
        for n, g in zip(names, opt.param_groups)
    }
    assert ids['attention'] == {
        id(p)
        for n, p in model.named_parameters() if n.startswith('sca_head.')
    }
    assert ids['core'] == {
        id(p)
        for n, p in model.named_parameters() if not n.startswith('sca_head.')
    }
    seen = {}
    for it in range(200 * epoch_length):
        seen[it] = dict(zip(names, (g['lr'] for g in opt.param_groups)))
        wrapper.step()  # no gradients: nothing moves
        for s in schedulers:
            s.step()
    for epoch in (0, 5, 10, 105, 150):
        for name in names:
            assert seen[epoch * epoch_length][name] == pytest.approx(
                paper_rate(name, epoch), rel=1e-9), (name, epoch)
    last = seen[200 * epoch_length - 1]
    for name, (_, _, end) in PAPER_RATES.items():
        assert last[name] == pytest.approx(end, rel=1e-2)
    assert seen[0] == dict(core=0.3, attention=0.015)
    assert seen[10 * epoch_length] == pytest.approx(
        dict(core=3.6, attention=0.03))


def test_paper_schedule_in_the_other_swav_configs():
    for name, groups in (('swav_sca_r50_8xb32-mcrop-200e_in50.py', [
            'attention', 'core'
    ]), ('swav_sca_multistage_r50_8xb32-mcrop-200e_in50.py',
         ['attention',
          'core']), ('swav_r50_8xb32-mcrop-200e_in50.py', ['core'])):
        cfg = load(name)
        _, wrapper, _ = build_optim_and_schedulers(cfg, 2)
        opt = wrapper.optimizer
        assert type(opt).__name__ == 'LARC'
        assert [g['name'] for g in opt.param_groups] == groups
        assert [g['lr'] for g in opt.param_groups
                ] == pytest_approx([PAPER_RATES[g][0] for g in groups])


def pytest_approx(x):
    import pytest
    return pytest.approx(x, rel=1e-9)
