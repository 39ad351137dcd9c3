# BAM, ResNet-50, ImageNet-1k (paper Table 9a): LARS, lr 0.3 x batch / 256
# (= 4.8 at batch 4096), wd 1e-6, gradient clipping 0.3, batch 4096
# (16 GPUs x 256), 300 epochs with 10 warm-up epochs, cosine; multi-crop
# 2 x 224 + 6 x 96; tau 0.1, tau_t 0.05, 3 Sinkhorn iterations; EMA teacher
# 0.995 -> 1 (cosine; authors' --teacher_m, the paper gives none); cosine
# to 1e-6 (authors' --min_lr default); projector 3-layer MLP 4096-4096
# (ReLU for ResNet, paper Appendix C). See docs/fidelity.md (BAM).
_base_ = [
    '../_base_/datasets/imagenet_bam_multicrop.py',
    '../_base_/default_runtime.py',
]

batch_size = 4096
model = dict(
    type='BAM',
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='BAMProjector',
        in_channels=2048,
        hid_channels=4096,
        out_channels=4096,
        num_layers=3,
        act='relu'),
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

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='LARS',
        lr=0.3 * batch_size / 256,
        weight_decay=1e-6,
        momentum=0.9),
    clip_grad=dict(max_norm=0.3),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            'bias': dict(decay_mult=0, lars_exclude=True),
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))
max_epochs = 300
warmup_epochs = 10
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
        eta_min=1e-6,
        by_epoch=True,
        begin=warmup_epochs,
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
find_unused_parameters = False
# lr above is for the total batch 4096; --auto-scale-lr rescales it
auto_scale_lr = dict(base_batch_size=batch_size)
