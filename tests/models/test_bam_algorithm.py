"""BAM algorithm: unit behaviour and tools/train.py end to end."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmssl_addons  # noqa: F401
from mmssl_addons.models.algorithms.bam import embed_views
from mmssl_addons.utils import extract_backbone_state

CONFIG = 'configs/bam/bam_r18s_synthetic_demo.py'


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: extra threads only add overhead on shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_model(use_teacher=True, num_views=4):
    return MODELS.build(
        dict(
            type='BAM',
            backbone=dict(
                type='ResNet',
                depth=18,
                stem_channels=8,
                base_channels=8,
                out_indices=(3, )),
            neck=dict(
                type='BAMProjector',
                in_channels=64,
                hid_channels=32,
                out_channels=16),
            loss=dict(type='BAMLoss', num_views=num_views, num_global=2),
            use_teacher=use_teacher))


def views(n=3, sizes=(32, 32, 16, 16)):
    g = torch.Generator().manual_seed(0)
    return [torch.randn(n, 3, s, s, generator=g) for s in sizes]


def test_embed_views_batches_same_size_views_view_major():
    calls = []

    def encoder(x):
        calls.append(tuple(x.shape))
        return (x.mean(dim=(1, 2, 3))[:, None].repeat(1, 2), )

    v = views()
    out = embed_views(encoder, v)
    assert calls == [(6, 3, 32, 32), (6, 3, 16, 16)]
    want = torch.cat([x.mean(dim=(1, 2, 3)) for x in v])
    torch.testing.assert_close(out[:, 0], want)


def test_teacher_starts_equal_gets_no_gradient_and_follows_ema():
    MessageHub.get_current_instance().update_info('max_iters', 10)
    model = tiny_model()
    model.init_weights()
    student = dict(model.backbone.named_parameters())
    teacher = dict(model.momentum_encoder.module[0].named_parameters())
    for k, v in student.items():
        assert torch.equal(v, teacher[k]), k
    losses = model.loss(views(), [DataSample() for _ in range(3)])
    losses['loss'].backward()
    assert torch.isfinite(losses['loss'])
    assert all(p.grad is None for p in model.momentum_encoder.parameters())
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    # the teacher is a checkpoint prefix extract_backbone_state finds
    state = extract_backbone_state(model.state_dict(), 'teacher')
    assert 'conv1.weight' in state


def test_without_teacher_and_wrong_view_count():
    model = tiny_model(use_teacher=False)
    assert not hasattr(model, 'momentum_encoder')
    loss = model.loss(views(), [DataSample() for _ in range(3)])['loss']
    assert torch.isfinite(loss)
    with pytest.raises(ValueError, match='expects 4 views'):
        model.loss(views(sizes=(32, 32)), [])


def test_target_temperature_hook_schedule():
    from mmssl_addons.engine.hooks import BAMTargetTemperatureHook
    hook = BAMTargetTemperatureHook(start=0.08, end=0.04, warmup_epochs=2)
    assert hook.value(0, 10) == pytest.approx(0.08)
    assert hook.value(10, 10) == pytest.approx(0.06)
    assert hook.value(20, 10) == pytest.approx(0.04)
    assert hook.value(500, 10) == pytest.approx(0.04)
    with pytest.raises(ValueError, match='> 0'):
        BAMTargetTemperatureHook(start=0.)


CCROP_CONFIG = 'configs/bam/bam_r18s_ccrop_synthetic_demo.py'


def tiny_options(data_root, max_epochs=1):
    """BAM + ContrastiveCrop demo at 64/32 px, 2 iterations per epoch."""
    ds = 'train_dataloader.dataset.dataset'
    box = 'custom_hooks.3.dataloader'
    return [
        f'{ds}.data_root={data_root}',
        f'{ds}.pipeline.1.transforms.0.0.scale=64',
        f'{ds}.pipeline.1.transforms.1.0.scale=32',
        'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_cfg.max_epochs={max_epochs}',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=3',
        'default_hooks.logger.interval=1',
        'custom_hooks.1.warmup_epochs=1',
        'custom_hooks.2.interval=1',
        f'custom_hooks.2.train_dataloader.dataset.data_root={data_root}',
        f'custom_hooks.2.val_dataloader.dataset.data_root={data_root}',
        'custom_hooks.2.train_dataloader.num_workers=0',
        'custom_hooks.2.val_dataloader.num_workers=0',
        f'{box}.dataset.data_root={data_root}',
        f'{box}.num_workers=0',
        f'{box}.dataset.pipeline.1.scale=(128,128)',
        # boxes after epoch 1, then not before epoch 6 (none after the last)
        'custom_hooks.3.warmup_epochs=1',
        'custom_hooks.3.interval=5',
        'custom_hooks.3.threshold=0.8',
        'model.backbone.stem_channels=16',
        'model.backbone.base_channels=16',
        'model.neck.in_channels=128',
        'model.neck.hid_channels=64',
        'model.neck.out_channels=32',
    ]


def train(repo_root, *args):
    # one thread: tiny tensors, and less oversubscription on shared cores
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, 'tools/train.py', *args],
                          cwd=repo_root,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    return log


@pytest.fixture(scope='module')
def first_run(repo_root, tiny_cub, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('bam'))
    log = train(repo_root, CCROP_CONFIG, '--work-dir', work, '--cfg-options',
                *tiny_options(tiny_cub, max_epochs=2))
    return work, log


def test_train_tool_two_iterations(first_run):
    work, log = first_run
    assert 'knn/top1' in log and 'tau_t' in log
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    assert state['meta']['iter'] == 2
    sd = state['state_dict']
    assert any(k.startswith('momentum_encoder.module.1.mlp') for k in sd)
    # the EMA moved the teacher away from its initial copy of the student
    assert not torch.equal(sd['backbone.conv1.weight'],
                           sd['momentum_encoder.module.0.conv1.weight'])


def test_contrastive_crop_boxes_saved_and_kept_on_resume(
        first_run, repo_root, tiny_cub):
    work, log = first_run
    assert 'ContrastiveCrop: boxes updated after epoch 1' in log
    first = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    boxes = first['contrastive_crop']['boxes']
    assert boxes.shape == (8, 4)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    assert (area < 1).any() and (area > 0).all()  # not the initial boxes
    assert first['contrastive_crop']['has_boxes'] is True
    assert 'boxes updated after epoch 2' not in log  # the last epoch
    log = train(repo_root, CCROP_CONFIG, '--work-dir', work, '--resume',
                '--cfg-options', *tiny_options(tiny_cub, max_epochs=3))
    assert 'resumed' in log.lower()
    assert 'boxes updated after epoch 3' not in log
    third = torch.load(
        osp.join(work, 'epoch_3.pth'), map_location='cpu', weights_only=True)
    assert third['meta']['iter'] == 6
    # no update since epoch 1: the dataset kept the resumed boxes
    torch.testing.assert_close(third['contrastive_crop']['boxes'], boxes)
    assert third['contrastive_crop']['last_update_epoch'] == 1
    assert third['contrastive_crop']['has_boxes'] is True


def test_vit_bam_multicrop_and_attention_boxes(tiny_cub):
    """ViT path: BAM on 32/16 px views, then ContrastiveCropHook(arch='vit')
    computes boxes from the [cls] attention through the real hook code."""
    from mmengine.registry import init_default_scope
    from torch.utils.data import DataLoader

    from mmssl_addons.datasets import ContrastiveCropDataset
    from mmssl_addons.engine.hooks import ContrastiveCropHook
    init_default_scope('mmpretrain')
    MessageHub.get_current_instance().update_info('max_iters', 10)
    model = MODELS.build(
        dict(
            type='BAM',
            backbone=dict(
                type='MoCoV3ViT',
                arch=dict(
                    embed_dims=32,
                    num_layers=2,
                    num_heads=4,
                    feedforward_channels=64),
                img_size=32,
                patch_size=8),
            neck=dict(
                type='BAMProjector',
                in_channels=32,
                hid_channels=32,
                out_channels=16),
            loss=dict(type='BAMLoss', num_views=4, num_global=2),
            data_preprocessor=dict(
                type='SelfSupDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375])))
    model.init_weights()
    loss = model.loss(views(), [DataSample() for _ in range(3)])['loss']
    loss.backward()
    assert torch.isfinite(loss) and model.backbone.cls_token.grad is not None

    def dataset(pipeline):
        return dict(
            type='FineGrainedCUB',
            data_root=tiny_cub,
            split='train',
            pipeline=[dict(type='CheckedLoadImageFromFile')] + pipeline +
            [dict(type='PackInputs')])

    train_set = ContrastiveCropDataset(dataset([]))
    box_loader = dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dataset([dict(type='Resize', scale=(32, 32))]))

    class Runner:
        train_dataloader = DataLoader(train_set)

        def build_dataloader(self, cfg):
            from mmengine.runner import Runner as MMRunner
            return MMRunner.build_dataloader(cfg)

    Runner.model = model
    hook = ContrastiveCropHook(
        box_loader, warmup_epochs=0, interval=1, arch='vit', threshold=0.5)
    boxes = hook.compute_boxes(Runner())
    assert boxes.shape == (8, 4) and model.training
    assert ((boxes[:, 2:] > boxes[:, :2]).all() and (boxes >= 0).all()
            and (boxes <= 1).all())
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    assert (area < 1).any()
    with pytest.raises(TypeError, match='ContrastiveCropDataset'):
        Runner.train_dataloader = DataLoader(list(range(8)))
        hook.compute_boxes(Runner())
