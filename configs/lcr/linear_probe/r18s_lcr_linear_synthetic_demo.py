# Linear probe of the CPU demo model (moco_lcr_synthetic_demo.py) on the
# synthetic data, with LCR's attention pooling from the frozen GFB:
#   python tools/train.py \
#     configs/lcr/linear_probe/r18s_lcr_linear_synthetic_demo.py \
#     --cfg-options model.backbone.init_cfg.checkpoint=CKPT \
#                   model.neck.init_cfg.checkpoint=CKPT
# (train_dataloader.dataset.label_fraction=0.5 or 0.2 for the other
# label proportions.)
_base_ = './r50_lcr_linear_cub.py'
from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

pretrained = 'work_dirs/demo/moco_lcr/epoch_30.pth'
data_root = 'data/synthetic_cub'
num_classes = 20
crop_size = 96

model = dict(
    backbone=dict(
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        init_cfg=dict(checkpoint=pretrained)),
    neck=dict(in_channels=256, init_cfg=dict(checkpoint=pretrained)),
    head=dict(num_classes=num_classes, in_channels=256))
data_preprocessor = dict(num_classes=num_classes)
# the paper probe's pipelines at 96 px (resize 110)
_sizes = {_base_.crop_size: crop_size, 256: 110}
train_pipeline = rescale_sizes(_base_.train_pipeline, _sizes, strict=False)
test_pipeline = rescale_sizes(_base_.test_pipeline, _sizes)
del _sizes
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=100,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=30, val_interval=10)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)
]
