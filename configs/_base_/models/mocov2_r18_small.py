# A small MoCo v2 for CPU demos: ResNet-18 at half width (256-d layer4) with
# layer4 at stride 16 (strides 1,2,2,1), so a 96 px image gives a 6x6 map
# for GradCAM, a short queue and 128-d embeddings.
model = dict(
    type='MoCoLCR',
    queue_len=4096,
    feat_dim=128,
    momentum=0.01,
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=256,
        hid_channels=512,
        out_channels=128,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))
