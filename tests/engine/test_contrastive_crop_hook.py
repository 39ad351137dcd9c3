"""ContrastiveCropHook: warm-up switch, box k on image k, teacher boxes, no
pass after the last epoch (BAM Appendix G)."""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmpretrain.registry import HOOKS, MODELS
from PIL import Image

import mmssl_addons  # noqa: F401
from mmssl_addons.datasets import ContrastiveCropDataset
from mmssl_addons.engine.hooks import ContrastiveCropHook

SIZE = 64
SQUARE = 16
# top-left corner of the bright square of image k (all different)
CORNERS = [(0, 0), (0, 48), (48, 0), (48, 48), (24, 8), (8, 40)]


@pytest.fixture(scope='module')
def squares(tmp_path_factory):
    """Image k: black, one bright SQUARE x SQUARE square at CORNERS[k]."""
    root = tmp_path_factory.mktemp('squares')
    for k, (r, c) in enumerate(CORNERS):
        img = np.zeros((SIZE, SIZE, 3), np.uint8)
        img[r:r + SQUARE, c:c + SQUARE] = 255
        Image.fromarray(img).save(osp.join(root, f'img_{k}.png'))
    return str(root)


def image_set(root, pipeline):
    return dict(
        type='CustomDataset',
        data_root=root,
        with_label=False,
        pipeline=[dict(type='LoadImageFromFile')] + pipeline)


def box_loader(root, shuffle):
    return dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=shuffle, seed=3),
        collate_fn=dict(type='default_collate'),
        dataset=image_set(root, [dict(type='PackInputs')]))


class Brightness(nn.Module):
    """A real backbone whose summed last map is the image brightness
    (8 x 8 average pooling), optionally mirrored left-right."""

    def __init__(self, mirror=False):
        super().__init__()
        self.mirror = mirror

    def forward(self, x):
        x = torch.flip(x, dims=[3]) if self.mirror else x
        return (nn.functional.avg_pool2d(x, 8), )


def bam_model():
    model = MODELS.build(
        dict(
            type='BAM',
            backbone=dict(
                type='ResNet', depth=18, stem_channels=8, base_channels=8),
            neck=dict(
                type='BAMProjector',
                in_channels=64,
                hid_channels=16,
                out_channels=8),
            loss=dict(type='BAMLoss', num_views=2, num_global=2),
            data_preprocessor=dict(
                type='SelfSupDataPreprocessor',
                mean=[0., 0., 0.],
                std=[255., 255., 255.])))
    model.backbone = Brightness()
    model.momentum_encoder.module[0] = Brightness(mirror=True)
    return model


class BoxRunner:
    """What the hook reads of a runner, around real mm parts."""

    def __init__(self, model, train_set):
        from torch.utils.data import DataLoader
        self.model = model
        self.train_dataloader = DataLoader(train_set)
        self.logger = MMLogger.get_current_instance()

    def build_dataloader(self, cfg):
        from mmengine.runner import Runner
        return Runner.build_dataloader(cfg)


def square_box(k, mirror=False):
    r, c = CORNERS[k]
    if mirror:
        c = SIZE - SQUARE - c
    return torch.tensor([r, c, r + SQUARE, c + SQUARE]) / SIZE


@pytest.mark.parametrize('shuffle', [False, True])
def test_box_k_lands_on_image_k(squares, shuffle):
    """Boxes are placed by ``sample_idx``: a shuffled box loader (which
    would permute them if they were placed in loader order) still gives
    each image the box of its own square, and the dataset hands sample k
    box k, whose ContrastiveCrop centres fall on image k's square."""
    train_set = ContrastiveCropDataset(
        image_set(squares, [
            dict(
                type='ContrastiveCrop',
                scale=8,
                crop_ratio_range=(0.005, 0.01),
                interpolation='nearest')
        ]))
    runner = BoxRunner(bam_model(), train_set)
    hook = ContrastiveCropHook(
        box_loader(squares, shuffle),
        warmup_epochs=0,
        interval=1,
        encoder='student',
        threshold=0.5)
    boxes = hook.compute_boxes(runner)
    assert boxes.shape == (len(CORNERS), 4)
    for k in range(len(CORNERS)):
        torch.testing.assert_close(
            boxes[k], square_box(k), atol=4 / SIZE, rtol=0)
    train_set.set_boxes(boxes)
    np.random.seed(0)
    for k in range(len(CORNERS)):
        assert train_set[k]['crop_box'] == pytest.approx(
            tuple(boxes[k].tolist()))
        for _ in range(5):  # tiny crops centred in the box: bright
            img = train_set[k]['img']
            assert img[4, 4].min() == 255, k


def test_boxes_come_from_the_teacher_by_default(squares):
    """The EMA teacher's backbone (here: mirrored) makes the boxes;
    ``encoder='student'`` uses the online one."""
    train_set = ContrastiveCropDataset(image_set(squares, []))
    runner = BoxRunner(bam_model(), train_set)
    hook = ContrastiveCropHook(
        box_loader(squares, False), warmup_epochs=0, threshold=0.5)
    assert hook.encoder == 'teacher'
    boxes = hook.compute_boxes(runner)
    for k in range(len(CORNERS)):
        torch.testing.assert_close(
            boxes[k], square_box(k, mirror=True), atol=4 / SIZE, rtol=0)
    # a model without a teacher: the online backbone
    runner.model.use_teacher = False
    del runner.model.momentum_encoder
    boxes = hook.compute_boxes(runner)
    torch.testing.assert_close(boxes[1], square_box(1), atol=4 / SIZE, rtol=0)
    with pytest.raises(ValueError, match='encoder must be one of'):
        ContrastiveCropHook(box_loader(squares, False), encoder='ema')


def test_box_loader_listing_other_images_is_an_error(squares, tmp_path):
    for k in range(len(CORNERS)):  # same count, other files
        Image.new('RGB', (SIZE, SIZE)).save(tmp_path / f'other_{k}.png')
    train_set = ContrastiveCropDataset(image_set(squares, []))
    runner = BoxRunner(bam_model(), train_set)
    hook = ContrastiveCropHook(
        box_loader(str(tmp_path), False), warmup_epochs=0)
    with pytest.raises(ValueError, match='same images in the same order'):
        hook.compute_boxes(runner)


@HOOKS.register_module(force=True)
class BoxProbeHook(Hook):
    """Records, per epoch, whether the training dataset passes boxes and
    when the ContrastiveCropHook last computed them."""
    priority = 'LOWEST'

    def __init__(self):
        self.seen = []

    def before_train_epoch(self, runner):
        self.seen.append(('has_boxes', runner.epoch,
                          runner.train_dataloader.dataset.has_boxes))

    def after_train_epoch(self, runner):
        hook = [h for h in runner.hooks
                if isinstance(h, ContrastiveCropHook)][0]
        self.seen.append(('updated', runner.epoch + 1, hook.last_update_epoch))


def test_warmup_epochs_without_boxes_and_no_pass_after_the_last(
        squares, tmp_path):
    """Real runner, 4 epochs, warm-up 2, interval 1: epochs 0-1 without a
    box (plain RandomResizedCrop), boxes after epochs 2 and 3, none after
    the last (4)."""
    from mmengine.runner import Runner
    view = [
        dict(type='ContrastiveCrop', scale=32, crop_ratio_range=(0.2, 1.)),
    ]
    cfg = dict(
        model=dict(
            type='BAM',
            backbone=dict(
                type='ResNet', depth=18, stem_channels=8, base_channels=8),
            neck=dict(
                type='BAMProjector',
                in_channels=64,
                hid_channels=16,
                out_channels=8),
            loss=dict(type='BAMLoss', num_views=2, num_global=2),
            data_preprocessor=dict(
                type='SelfSupDataPreprocessor',
                mean=[0., 0., 0.],
                std=[255., 255., 255.])),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            batch_size=3,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(
                type='ContrastiveCropDataset',
                dataset=image_set(squares, [
                    dict(type='MultiView', num_views=2, transforms=[view]),
                    dict(type='PackInputs')
                ]))),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=4),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=100),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[
            dict(
                type='ContrastiveCropHook',
                dataloader=box_loader(squares, False),
                warmup_epochs=2,
                interval=1,
                threshold=0.5),
            dict(type='BoxProbeHook'),
        ],
        default_scope='mmpretrain')
    runner = Runner.from_cfg(cfg)
    runner.train()
    probe = [h for h in runner.hooks if isinstance(h, BoxProbeHook)][0]
    assert probe.seen == [
        ('has_boxes', 0, False),
        ('updated', 1, -1),
        ('has_boxes', 1, False),
        ('updated', 2, 2),
        ('has_boxes', 2, True),
        ('updated', 3, 3),
        ('has_boxes', 3, True),
        ('updated', 4, 3),
    ]
