# MoCo v2 baseline on CUB-200-2011 with LCR's settings (Table 2 "MoCo v2").
_base_ = [
    '../_base_/models/mocov2_r50.py',
    '../_base_/datasets/cub_mocov2.py',
    '../_base_/schedules/sgd_coslr_100e.py',
    '../_base_/default_runtime.py',
]

custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
