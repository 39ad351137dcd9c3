# Linear probe of a BAM ResNet-50 (paper Table 9b): frozen backbone, SGD
# lr 0.3, batch 1024 (8 x 128), 100 epochs cosine. The EMA teacher's
# backbone is evaluated (prefix momentum_encoder.module.0.; use 'backbone.'
# for the student):
#   tools/train.py THIS --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = 'mmpretrain::mocov3/benchmarks/resnet50_8xb128-linear-coslr-90e_in1k.py'

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='',
            prefix='momentum_encoder.module.0.')))
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.3, momentum=0.9, weight_decay=0.))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=100, by_epoch=True, begin=0, end=100)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100, val_interval=10)
auto_scale_lr = dict(base_batch_size=1024)

# mmssl_addons runtime: registrations, checkpoints that load with
# weights_only and survive a kill during the save
custom_imports = dict(imports=['mmssl_addons'], allow_failed_imports=False)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))
custom_hooks = [dict(type='SafeCheckpointHook')]
