# SwAV + SCA, ResNet-50, ImageNet-1K, 200 epochs (SCA paper, Tables 1-4
# "Ours"): 3000 SwAV prototypes and 3000 k-means clusters, P=2 positives.
# Schedule: the paper's (../_base_/schedules/sca_larc_warmup_coslr_200e.py):
# LARC, batch 2048 = 64 GPUs x 32, 10-epoch warm-up, core engine
# 0.3 -> 3.6 -> 0.0036, attention module 0.015 -> 0.03 -> 1e-6. On fewer
# GPUs add --auto-scale-lr (linear in the batch, base 2048).
_base_ = [
    '../_base_/models/swav_sca_r50.py',
    '../_base_/datasets/imagenet_swav_sca.py',
    '../_base_/schedules/sca_larc_warmup_coslr_200e.py',
    '../_base_/default_runtime.py',
]

num_positives = 2
model = dict(num_positives=num_positives)
train_dataloader = dict(dataset=dict(num_positives=num_positives))

# prototypes frozen for the first epoch; the classifier gets no gradient
# from a batch without pseudo-labels
find_unused_parameters = True
default_hooks = dict(
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=10, max_keep_ckpts=3))

swav_hook = dict(
    type='SwAVHook',
    priority='VERY_HIGH',
    batch_size=32,
    epoch_queue_starts=15,
    crops_for_assign=[0, 1],
    feat_dim=128,
    queue_length=3840,
    frozen_layers_cfg=dict(prototypes=5005))
custom_hooks = [
    dict(type='SafeCheckpointHook'), swav_hook, {{_base_.sca_clustering}},
    {{_base_.knn_monitor}}
]
