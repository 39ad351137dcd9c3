# Pascal-VOC multi-label classification fine-tune (SCA paper Sec. 3.3,
# Table 3): the self-supervised ResNet-50 backbone (add-on dropped: only
# `backbone.*` is loaded) plus a 20-way linear head, fine-tuned end to end
# for 10 epochs, batch 16, lr 0.00015 for the backbone and 0.05 for the
# head, BCE-with-logits loss, mean average precision (VOCAveragePrecision).
# VOC2012 train -> val (the paper's "val2012 AP"; test2012 labels are on
# the evaluation server). For VOC2007 set data_root=data/VOC2007,
# split trainval / test.
_base_ = [
    'mmpretrain::_base_/datasets/voc_bs16.py',
    '../../_base_/default_runtime.py',
]

checkpoint = 'work_dirs/swav_sca_r50_8xb32-mcrop-200e_in1k/epoch_200.pth'
data_root = 'data/VOCdevkit/VOC2012'
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),
        norm_cfg=dict(type='BN'),
        init_cfg=dict(
            type='Pretrained', checkpoint=checkpoint, prefix='backbone.')),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MultiLabelLinearClsHead',
        num_classes=20,
        in_channels=2048,
        # sigmoid + binary cross-entropy per class (BCEWithLogitsLoss)
        loss=dict(type='CrossEntropyLoss', use_sigmoid=True,
                  loss_weight=1.0)))

train_dataloader = dict(
    batch_size=16, dataset=dict(data_root=data_root, split='train'))
val_dataloader = dict(
    batch_size=16, dataset=dict(data_root=data_root, split='val'))
test_dataloader = val_dataloader

base_lr = 0.00015
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, weight_decay=1e-4),
    # head lr 0.05 = 0.00015 x 333.3
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=0.05 / base_lr)}))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, begin=0, end=10)
]
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=1)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=2),
    logger=dict(interval=50))
