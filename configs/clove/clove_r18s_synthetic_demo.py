# CPU demo: CLoVE on the embedded synthetic dataset
# (`python -m mmssl_addons.synthetic --out data/synthetic_cub`).
# Half-width ResNet-18 with layer4 at stride 16 (strides 1,2,2,1): the 2
# global 96 px views give 6x6 maps (36 locations, enough for k = 10), the 6
# local 48 px views 3x3 maps. 64-d projector and predictor (8 heads x 8),
# batch 32, LARS lr 1.0 x 32 / 256, 30 epochs, kNN monitor every 10.
_base_ = [
    '../_base_/models/clove_r50.py',
    '../_base_/datasets/synthetic_cub_mocov2.py',
    '../_base_/schedules/lars_coslr_200e_clove.py',
    '../_base_/default_runtime.py',
]

global_size = 96
local_size = 48
model = dict(
    backbone=dict(
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        norm_cfg=dict(type='BN')),
    neck=dict(
        in_channels=256,
        hid_channels=512,
        out_channels=64,
        norm_cfg=dict(type='BN')),
    head=dict(predictor=dict(embed_dims=64, num_heads=8, head_dims=8)),
    feat_dim=64)

_color = dict(
    type='RandomApply',
    transforms=[
        dict(
            type='ColorJitter',
            brightness=0.4,
            contrast=0.4,
            saturation=0.2,
            hue=0.1)
    ],
    prob=0.8)
_gray = dict(
    type='RandomGrayscale',
    prob=0.2,
    keep_channels=True,
    channel_weights=(0.114, 0.587, 0.2989))
global_view1 = [
    dict(
        type='RandomResizedCropWithBox',
        scale=global_size,
        crop_ratio_range=(0.2, 1.),
        backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'), _color, _gray,
    dict(
        type='GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=1.)
]
global_view2 = [
    dict(
        type='RandomResizedCropWithBox',
        scale=global_size,
        crop_ratio_range=(0.2, 1.),
        backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'), _color, _gray,
    dict(
        type='GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=0.1),
    dict(type='Solarize', thr=128, prob=0.2)
]
local_view = [
    dict(
        type='RandomResizedCropWithBox',
        scale=local_size,
        crop_ratio_range=(0.08, 0.3),
        backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'), _color, _gray,
    dict(
        type='GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=0.5)
]
train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(
        type='MultiViewWithBoxes',
        num_views=[1, 1, 6],
        transforms=[global_view1, global_view2, local_view]),
    dict(
        type='PackInputs',
        meta_keys=('img_path', 'ori_shape', 'view_boxes', 'view_flips'))
]
train_dataloader = dict(
    batch_size=32, dataset=dict(pipeline=train_pipeline), drop_last=True)

max_epochs = 30
warmup_epochs = 2
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=1.0 * 32 / 256))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min_ratio=0.01,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True)
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
randomness = dict(seed=0)

custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
