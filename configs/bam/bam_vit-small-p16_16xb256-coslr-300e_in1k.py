# BAM, ViT-S/16, ImageNet-1k (paper Table 9a): AdamW, lr 0.003 at batch
# 4096 (paper; the authors' scripts: 0.0003 x 4096 / 256 = 0.0048), cosine
# to 1e-3 (authors' scripts' --min_lr; the paper gives none), weight decay
# cosine 0.04 -> 0.4 (DINO), 300 epochs with 40 warm-up epochs, gradient
# clipping 0.3 (authors' scripts; Table 9a's ViT cell is empty), multi-crop
# 2 x 224 + 6 x 96, EMA teacher 0.995 -> 1 (authors' --teacher_m; the paper
# gives none), projector 3-layer MLP 4096-4096 GELU without BN (a BN-free
# system with the teacher, Appendix C), fixed 2-D sine-cosine position
# embedding (MoCo v3's ViT, Appendix C). See docs/fidelity.md (BAM).
_base_ = [
    '../_base_/datasets/imagenet_bam_multicrop.py',
    '../_base_/default_runtime.py',
]

batch_size = 4096
embed_dims = 384
model = dict(
    type='BAM',
    backbone=dict(
        type='MoCoV3ViT',
        arch=dict(
            embed_dims=embed_dims,
            num_layers=12,
            num_heads=6,
            feedforward_channels=4 * embed_dims),
        img_size=224,
        patch_size=16,
        stop_grad_conv1=False),
    neck=dict(
        type='BAMProjector',
        in_channels=embed_dims,
        hid_channels=4096,
        out_channels=4096,
        num_layers=3,
        act='gelu'),
    loss=dict(
        type='BAMLoss',
        num_views=8,
        num_global=2,
        tau=0.1,
        tau_t=0.05,
        n_iters=3),
    use_teacher=True,
    base_momentum=0.005,
    end_momentum=0.)

max_epochs = 300
warmup_epochs = 40
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW', lr=0.003, betas=(0.9, 0.999), weight_decay=0.04),
    clip_grad=dict(max_norm=0.3),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            '.cls_token': dict(decay_mult=0.0),
            '.pos_embed': dict(decay_mult=0.0)
        }))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=1e-3,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingWeightDecay',
        eta_min=0.4,
        T_max=max_epochs,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(
        type='BAMTargetTemperatureHook',
        start=0.05,
        end=0.05,
        warmup_epochs=30),
]
auto_scale_lr = dict(base_batch_size=batch_size)
