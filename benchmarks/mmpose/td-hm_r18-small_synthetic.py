# Tiny top-down heatmap keypoint model on the exported synthetic birds (COCO
# keypoints layout, six part keypoints) for the end-to-end transfer test and
# `make demo-transfer` on CPU: the half-width ResNet-18 of
# configs/_base_/models/mocov2_r18_small.py, 64x64 crops, a few iterations.
_base_ = ['mmpose::_base_/default_runtime.py']

# The backbone checkpoint (tools/model_converters/extract_backbone.py);
# override with --cfg-options pretrained=PATH.
pretrained = 'work_dirs/demo_transfer/backbone.pth'
data_root = 'data/synthetic_transfer/coco/'

# Must match mmssl_addons.synthetic.export.keypoint_metainfo()
# (tests/benchmarks/test_transfer_configs.py checks it).
_parts = ('beak_tip', 'head_centre', 'eye', 'wing_centre', 'tail_tip',
          'body_centre')
metainfo = dict(
    dataset_name='synthetic_birds',
    keypoint_info={
        i: dict(name=n, id=i, color=[255, 128, 0], type='upper', swap='')
        for i, n in enumerate(_parts)
    },
    skeleton_info={
        i: dict(link=(_parts[a - 1], _parts[b - 1]), id=i, color=[0, 255, 0])
        for i, (a, b) in enumerate(((1, 2), (2, 3), (2, 6), (6, 4), (6, 5)))
    },
    joint_weights=[1.0] * 6,
    sigmas=[0.05] * 6)

custom_imports = dict(imports=['mmssl_addons'], allow_failed_imports=False)
codec = dict(
    type='MSRAHeatmap', input_size=(64, 64), heatmap_size=(16, 16), sigma=1)
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=32,
        base_channels=32,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    head=dict(
        type='HeatmapHead',
        in_channels=256,
        out_channels=6,
        deconv_out_channels=(64, 64, 64),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='CocoDataset',
        data_root=data_root,
        data_mode='topdown',
        metainfo=metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='CocoDataset',
        data_root=data_root,
        data_mode='topdown',
        metainfo=metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='CocoMetric', ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

max_iters = 20
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', begin=0, end=5, start_factor=0.1, by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='mmpretrain.SafeCheckpointHook')
]
