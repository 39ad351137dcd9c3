# SCA's optimisation (supplementary 1.2, "Unsupervised Training"): LARC
# (the SwAV code's apex LARC: trust coefficient 0.001, no clipping),
# momentum 0.9, weight decay 1e-6, batch 2048 (64 GPUs x 32), 200 epochs,
# a 10-epoch linear warm-up then a cosine decay, with two rates:
#   core engine (everything but sca_head.*): 0.3 -> 3.6 (epoch 10) -> 0.0036
#   attention module (sca_head.*):           0.015 -> 0.03 (epoch 10) -> 1e-6
# The factors are relative to each group's peak rate, so --auto-scale-lr
# (base batch 2048) rescales both schedules linearly.
max_epochs = 200
warmup_epochs = 10
core_lr = dict(start=0.3, peak=3.6, end=0.0036)
attention_lr = dict(start=0.015, peak=0.03, end=1e-6)
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='NamedParamGroupsConstructor',
    optimizer=dict(
        type='LARC',
        lr=core_lr['peak'],
        momentum=0.9,
        weight_decay=1e-6,
        trust_coefficient=0.001,
        clip=False),
    paramwise_cfg=dict(
        default='core',
        groups=dict(
            attention=dict(
                prefix='sca_head.',
                lr_mult=attention_lr['peak'] / core_lr['peak']))))
param_scheduler = [
    dict(
        type='WarmupCosineLR',
        warmup=warmup_epochs,
        start_factor=dict(
            core=core_lr['start'] / core_lr['peak'],
            attention=attention_lr['start'] / attention_lr['peak']),
        end_factor=dict(
            core=core_lr['end'] / core_lr['peak'],
            attention=attention_lr['end'] / attention_lr['peak']),
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=2048)
