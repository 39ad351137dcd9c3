# CPU demo: NPID on the synthetic dataset (400 train images, 96 px): the
# paper model (npid_r50.py) with the small ResNet-18, K = 4096, 30 epochs,
# kNN monitor.
_base_ = [
    '../_base_/models/npid_r50.py',
    '../_base_/datasets/synthetic_cub_dilo.py',
    '../_base_/schedules/sgd_coslr_30e_demo.py',
    '../_base_/demo_runtime.py',
]
model = dict(
    memory_bank_size=400,  # training images of the default synthetic set
    backbone=dict(
        depth=18, stem_channels=32, base_channels=32, strides=(1, 2, 2, 1)),
    neck=dict(in_channels=256))
train_dataloader = {'dataset': {'pipeline': {{_base_.npid_train_pipeline}}}}
custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
