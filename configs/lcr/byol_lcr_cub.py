# BYOL + LCR's GradCAM-fitting branch on CUB-200-2011 (LCR paper, Table 3:
# the same GFB on another SSL framework). mmpretrain's BYOL model; LCR's
# data, batch 128 and 100-epoch schedule so the comparison with
# moco_lcr_cub.py changes one thing only. `gfb_head=None` gives plain BYOL.
_base_ = [
    '../_base_/datasets/cub_mocov2.py',
    '../_base_/schedules/sgd_coslr_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='BYOLLCR',
    base_momentum=0.01,
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')),
    gfb_head=dict(
        type='GradCAMFittingHead',
        in_channels=2048,
        num_projections=32,
        loss=dict(
            type='LCRKLLoss',
            tau=0.4,
            loss_weight=0.01,
            reduction='sum',
            reference_batch_size=32),
        test_pooling='attention',
        gradcam_scale='max'))  # as configs/_base_/models/lcr_gfb_r50.py

custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
