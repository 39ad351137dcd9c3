# The embedded synthetic fine-grained dataset (CUB_200_2011 layout, made by
# `python -m mmssl_addons.synthetic --out data/synthetic_cub`) with the
# pipelines of cub_mocov2.py at 96 px (resize 110), for CPU demos and tests.
_base_ = './cub_mocov2.py'
from mmssl_addons.utils.config_scaling import reroot, rescale_sizes  # noqa

data_root = 'data/synthetic_cub'
crop_size = 96
resize_size = 110
_sizes = {_base_.crop_size: crop_size, _base_.resize_size: resize_size}

view_pipeline = rescale_sizes(_base_.view_pipeline, _sizes, strict=False)
train_pipeline = rescale_sizes(_base_.train_pipeline, _sizes, strict=False)
test_pipeline = rescale_sizes(_base_.test_pipeline, _sizes)
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))

# the paper's weighted kNN (T = 0.07) with k = 20 for 700 images
knn_monitor = dict(
    k=20,
    train_dataloader=dict(
        batch_size=100,
        num_workers=2,
        dataset=dict(data_root=data_root, pipeline=test_pipeline)),
    val_dataloader=dict(
        batch_size=100,
        num_workers=2,
        dataset=dict(data_root=data_root, pipeline=test_pipeline)))
del _sizes
