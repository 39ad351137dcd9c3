# CUB-200-2011 with the MoCo v2 augmentations of mmpretrain, 224 px, and the
# retrieval protocol of LCR on the test split (each test image queries all
# other test images; rank-1, rank-5, mAP).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs32_mocov2.py'

dataset_type = 'FineGrainedCUB'
data_root = 'data/CUB_200_2011'
crop_size = 224
resize_size = 256

view_pipeline = [
    dict(
        type='RandomResizedCrop',
        scale=crop_size,
        crop_ratio_range=(0.2, 1.),
        backend='pillow'),
    dict(
        type='RandomApply',
        transforms=[
            dict(
                type='ColorJitter',
                brightness=0.4,
                contrast=0.4,
                saturation=0.4,
                hue=0.1)
        ],
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.2989)),
    dict(
        type='GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=0.5),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs')
]
test_pipeline = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='ResizeEdge', scale=resize_size, edge='short'),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='PackInputs')
]

# Per GPU: the paper trains 128 images on 4 GPUs (mmengine's batch_size is
# per process); auto_scale_lr in the schedule has base_batch_size=128.
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    # replaced, not merged: the mmpretrain:: base tags it with `_scope_`,
    # which mmengine would pass on to default_collate
    collate_fn=dict(_delete_=True, type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
test_evaluator = dict(type='RetrievalMetric', topk=(1, 5))
test_cfg = dict()

# weighted kNN (k=200, T=0.07) on frozen features, train split -> test split;
# configs add it with `custom_hooks = [..., {{_base_.knn_monitor}}]`
knn_monitor = dict(
    type='KNNMonitorHook',
    train_dataloader=dict(
        batch_size=64,
        num_workers=4,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            split='train',
            pipeline=test_pipeline)),
    val_dataloader=test_dataloader,
    k=200,
    temperature=0.07,
    interval=10,
    feature_fn='extract_pooled_feat')
