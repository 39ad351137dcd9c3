# Generic frozen linear probe (SGD, global average pooling) of the small
# demo ResNet-18 (configs/_base_/models/mocov2_r18_small.py) on the synthetic
# data, for any of our SSL checkpoints (the backbone sits under `backbone.`):
#   python tools/train.py configs/eval/linear_probe/r18s_linear_synthetic.py \
#     --cfg-options model.backbone.init_cfg.checkpoint=CKPT
# Label proportions: r18s_linear_synthetic_{50,20}pct.py (ClassBalancedSubset,
# works with any dataset config).
_base_ = '../../lcr/linear_probe/r50_linear_cub.py'
from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

pretrained = 'work_dirs/demo/mocov2/epoch_30.pth'
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
    # plain (unnormalised) GAP: the generic probe, whose linear head also
    # gives CAMs; LCR's paired probes normalise (r50_linear_cub.py)
    neck=dict(type='GlobalAveragePooling'),
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
optim_wrapper = dict(optimizer=dict(lr=1.0))
train_cfg = dict(max_epochs=30, val_interval=10)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=30, by_epoch=True, begin=0, end=30)
]
