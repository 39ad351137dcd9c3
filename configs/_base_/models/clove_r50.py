# CLoVE (Silva et al., ICCVW 2023, Sec. 6): ResNet-50 without pooling,
# 1x1-conv projector 2048 -> 4096 (BN, ReLU) -> 256 -> non-affine BN
# (released MLP2d) on layer4, normalized
# MHSA predictor (8 heads x 32), EMA teacher (0.99 -> 1, cosine), loss Eq. 2
# with mu = 100, lambda = 2 (released code), k = 10, T_pos = 0.7, weight 2
# (the released loss uses 2 * cos as logits: same gradient; docs/fidelity.md).
model = dict(
    type='CLoVE',
    base_momentum=0.01,
    t_pos=0.7,
    num_global_views=2,
    local_to_global=True,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='ConvMLPNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        with_last_bn=True,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='CLoVEHead',
        predictor=dict(
            type='NormalizedMultiHeadSelfAttention',
            embed_dims=256,
            num_heads=8,
            head_dims=32,
            temperature=0.2,
            normalized=True),
        loss=dict(
            type='CLoVELoss', margin=100., lam=2., topk=10, loss_weight=2.)))
