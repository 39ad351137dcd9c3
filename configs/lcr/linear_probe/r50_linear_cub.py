# Linear probe of a frozen ResNet-50 on CUB-200-2011 (LCR Table 2, label
# proportion 100%), global average pooling: for MoCo v2 checkpoints.
# The pooled feature is L2-normalised, as the LCR probe's (the released
# probe normalises it), so both classifiers at lr 30 see unit-norm features;
# neck=dict(type='GlobalAveragePooling') is MoCo's unnormalised lincls.
#   python tools/train.py configs/lcr/linear_probe/r50_linear_cub.py \
#     --cfg-options model.backbone.init_cfg.checkpoint=CKPT
# Schedule as mmpretrain's linear benchmark (SGD lr 30, 100 epochs).
_base_ = [
    'mmpretrain::_base_/schedules/imagenet_sgd_steplr_100e.py',
    '../../_base_/default_runtime.py',
]

pretrained = 'work_dirs/mocov2_cub/epoch_100.pth'
data_root = 'data/CUB_200_2011'
label_fraction = 1.0
num_classes = 200
crop_size = 224

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=50,
        frozen_stages=4,
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(type='NormalizedGlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=num_classes,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5)))

data_preprocessor = dict(
    num_classes=num_classes,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='ResizeEdge', scale=int(crop_size * 256 / 224), edge='short'),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FineGrainedCUB',
        data_root=data_root,
        split='train',
        label_fraction=label_fraction,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='FineGrainedCUB',
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=30., momentum=0.9, weight_decay=0.))
train_cfg = dict(max_epochs=100, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=1))
