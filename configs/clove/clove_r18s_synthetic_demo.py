# CPU demo: CLoVE on the embedded synthetic dataset
# (`python -m mmssl_addons.synthetic --out data/synthetic_cub`).
# Half-width ResNet-18 with layer4 at stride 16 (strides 1,2,2,1): the 2
# global 96 px views give 6x6 maps (36 locations, enough for k = 10), the 6
# local 48 px views 3x3 maps. 64-d projector and predictor (8 heads x 8),
# batch 32, LARS lr 1.0 x 32 / 256, 30 epochs, kNN monitor every 10. Views:
# the paper's (imagenet_clove_multicrop.py) at demo size, from
# ../_base_/datasets/synthetic_cub_clove.py (its header: what differs).
_base_ = [
    '../_base_/models/clove_r50.py',
    '../_base_/datasets/synthetic_cub_clove.py',
    '../_base_/schedules/lars_coslr_200e_clove.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        norm_cfg=dict(type='BN')),
    neck=dict(
        in_channels=256,
        hid_channels=512,
        out_channels=64,
        norm_cfg=dict(type='BN')),
    head=dict(predictor=dict(embed_dims=64, num_heads=8, head_dims=8)),
    feat_dim=64)

train_dataloader = dict(batch_size=32, drop_last=True)

max_epochs = 30
warmup_epochs = 2
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=1.0 * 32 / 256))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min_ratio=0.01,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True)
]
auto_scale_lr = dict(base_batch_size=32)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
randomness = dict(seed=0)

custom_hooks = [dict(type='SafeCheckpointHook'), {{_base_.knn_monitor}}]
