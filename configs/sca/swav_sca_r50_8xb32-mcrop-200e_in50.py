# SwAV + SCA on ImageNet-50 (the paper's ablation set, Tables 1-4): 150
# SwAV prototypes and 150 k-means clusters (supplementary 1.2; its
# classification-head paragraph says 50, the hyper-parameter one 150: we
# follow the latter), kNN (k=200) every epoch. Otherwise (the paper's LARC
# schedule with two rates, batch 2048) as the ImageNet-1K config.
_base_ = [
    '../_base_/models/swav_sca_r50.py',
    '../_base_/datasets/imagenet50_swav_sca.py',
    '../_base_/schedules/sca_larc_warmup_coslr_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    head=dict(loss=dict(num_prototypes=150)),
    sca_head=dict(num_clusters=150))

find_unused_parameters = True
default_hooks = dict(
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=10, max_keep_ckpts=3))

# ~65k images: 254 iterations per epoch at 8 x 32; prototypes frozen for
# the first epoch, queue from epoch 15
swav_hook = dict(
    type='SwAVHook',
    priority='VERY_HIGH',
    batch_size=32,
    epoch_queue_starts=15,
    crops_for_assign=[0, 1],
    feat_dim=128,
    queue_length=3840,
    frozen_layers_cfg=dict(prototypes=254))
custom_hooks = [
    dict(type='SafeCheckpointHook'), swav_hook, {{_base_.sca_clustering}},
    {{_base_.knn_monitor}}
]
