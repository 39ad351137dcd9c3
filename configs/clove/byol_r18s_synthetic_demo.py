# BYOL baseline for the CLoVE demo (benchmarks/clove_speed.py), derived from
# the paper-scale baseline byol_resnet50_8xb256-coslr-200e_in1k.py like that
# one from CLoVE's: its BYOL model at the demo's width (half-width ResNet-18,
# pooled projector 256 -> 512 -> 64, predictor 64 -> 512 -> 64), its pipeline
# with the CLoVE demo's loader and two asymmetric 96 px global views; the
# CLoVE demo's LARS schedule and data.
_base_ = './clove_r18s_synthetic_demo.py'
from mmengine.config import Config  # noqa

_paper = Config.fromfile(
    '{{fileDirname}}/byol_resnet50_8xb256-coslr-200e_in1k.py')

model = _paper.model
model.update(
    _delete_=True,
    backbone=dict(
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        norm_cfg=dict(type='BN')),
    neck=dict(in_channels=256, hid_channels=512, out_channels=64),
    head=dict(
        predictor=dict(in_channels=64, hid_channels=512, out_channels=64)))
train_pipeline = _paper.train_pipeline
train_pipeline[0] = _base_.train_pipeline[0]  # CheckedLoadImageFromFile
train_pipeline[1].transforms = [_base_.global_view1, _base_.global_view2]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
del Config, _paper
