# CPU demo baseline: plain SwAV (mmpretrain) on the synthetic dataset with
# the same small ResNet-18, multi-crop and schedule as the SCA demo, without
# positives or clustering.
_base_ = [
    '../_base_/datasets/synthetic_cub_swav_sca.py',
    '../_base_/schedules/sgd_coslr_30e_demo.py',
    '../_base_/demo_runtime.py',
]

num_crops = [2, 2]
model = dict(
    type='SwAV',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        out_indices=(3, ),
        norm_cfg=dict(type='BN'),
        zero_init_residual=True),
    neck=dict(
        type='SwAVNeck',
        in_channels=256,
        hid_channels=512,
        out_channels=128,
        with_avg_pool=True),
    head=dict(
        type='SwAVHead',
        loss=dict(
            type='SwAVLoss',
            feat_dim=128,
            num_prototypes=60,
            epsilon=0.05,
            temperature=0.1,
            num_crops=num_crops)))
train_dataloader = dict(dataset={{_base_.plain_train_dataset}})

# SwAVHook freezes the prototypes for the first iterations (DDP)
find_unused_parameters = True

# no queue (400 images); prototypes frozen for the first epoch (12 iters)
swav_hook = dict(
    type='SwAVHook',
    priority='VERY_HIGH',
    batch_size=32,
    epoch_queue_starts=15,
    crops_for_assign=[0, 1],
    feat_dim=128,
    queue_length=0,
    frozen_layers_cfg=dict(prototypes=12))
custom_hooks = [
    dict(type='SafeCheckpointHook'), swav_hook, {{_base_.knn_monitor}}
]
