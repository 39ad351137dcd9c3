"""Tiny ResNet-18 configs (64-d layer4) of the LCR bases, for the tests."""
BACKBONE = dict(
    type='ResNet',
    depth=18,
    stem_channels=8,
    base_channels=8,
    strides=(1, 2, 2, 1),
    norm_cfg=dict(type='BN'))
GFB = dict(type='GradCAMFittingHead', in_channels=64, num_projections=4)


def moco_cfg(type='MoCoLCR', **kwargs):
    return dict(
        type=type,
        queue_len=32,
        feat_dim=16,
        momentum=0.01,
        backbone=BACKBONE,
        neck=dict(
            type='MoCoV2Neck',
            in_channels=64,
            hid_channels=32,
            out_channels=16,
            with_avg_pool=True),
        head=dict(
            type='ContrastiveHead',
            loss=dict(type='CrossEntropyLoss'),
            temperature=0.2),
        **kwargs)


def byol_cfg(type='BYOLLCR', **kwargs):
    return dict(
        type=type,
        backbone=BACKBONE,
        neck=dict(
            type='NonLinearNeck',
            in_channels=64,
            hid_channels=32,
            out_channels=16,
            with_avg_pool=True),
        head=dict(
            type='LatentPredictHead',
            predictor=dict(
                type='NonLinearNeck',
                in_channels=16,
                hid_channels=32,
                out_channels=16,
                with_avg_pool=False),
            loss=dict(type='CosineSimilarityLoss')),
        **kwargs)


def simsiam_cfg(type='SimSiamLCR', **kwargs):
    return dict(
        type=type,
        backbone=BACKBONE,
        neck=dict(
            type='NonLinearNeck',
            in_channels=64,
            hid_channels=32,
            out_channels=16,
            num_layers=2,
            with_avg_pool=True),
        head=dict(
            type='LatentPredictHead',
            predictor=dict(
                type='NonLinearNeck',
                in_channels=16,
                hid_channels=8,
                out_channels=16,
                with_avg_pool=False,
                with_last_bn=False),
            loss=dict(type='CosineSimilarityLoss')),
        **kwargs)
