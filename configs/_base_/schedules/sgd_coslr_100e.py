# LCR's schedule: SGD lr 0.03 (batch 128), momentum 0.9, wd 1e-4, 100 epochs
# cosine. Inherits mmpretrain's MoCo v2 schedule and shortens it.
_base_ = 'mmpretrain::_base_/schedules/imagenet_sgd_coslr_200e.py'

max_epochs = 100
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.03, weight_decay=1e-4, momentum=0.9))
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        by_epoch=True,
        begin=0,
        end=max_epochs)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=128)
