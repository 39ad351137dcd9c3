# CPU demo: MoCo v2 baseline on the synthetic dataset (as
# configs/lcr/mocov2_synthetic_demo.py, with the DiLo dataset base).
_base_ = [
    '../_base_/models/mocov2_r18_small.py',
    '../_base_/datasets/synthetic_cub_dilo.py',
    '../_base_/schedules/sgd_coslr_30e_demo.py',
    '../_base_/demo_runtime.py',
]
train_dataloader = {'dataset': {'pipeline': {{_base_.mocov2_train_pipeline}}}}
custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
