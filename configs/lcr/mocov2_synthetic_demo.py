# CPU demo: MoCo v2 baseline on the embedded synthetic dataset (`make demo`):
# mocov2_cub.py with each base at demo scale (each derived from the paper's).
_base_ = [
    '../_base_/models/mocov2_r18_small.py',
    '../_base_/datasets/synthetic_cub_mocov2.py',
    '../_base_/schedules/sgd_coslr_30e_demo.py',
    '../_base_/demo_runtime.py',
]

custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
