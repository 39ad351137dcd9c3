# MoCo v2 (mmpretrain's MoCo) with LCR's settings: ResNet-50, dim 256,
# queue 65536, temperature 0.2, momentum 0.999 (mmengine EMA: 1 - 0.999).
# MoCoLCR without gfb_head (default None) runs mmpretrain's MoCo.loss unchanged and only
# adds the `predict` mode used by the retrieval evaluation.
#
# The paper initialises the backbone from supervised ImageNet weights; off
# by default (mmpretrain's Kaiming init: weights cannot be downloaded here).
# To use them set, e.g. with --cfg-options,
#   model.backbone.init_cfg.type=Pretrained
#   model.backbone.init_cfg.checkpoint=torchvision://resnet50
# (or a local .pth); checkpoints from outside load with weights_only=True.
model = dict(
    type='MoCoLCR',
    queue_len=65536,
    feat_dim=256,
    momentum=0.001,
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=256,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))
