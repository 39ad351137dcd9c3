# The embedded synthetic fine-grained dataset (CUB_200_2011 layout, made by
# `python -m mmssl_addons.synthetic --out data/synthetic_cub`) with
# the MoCo v2 augmentations at 96 px, for CPU demos and tests.
_base_ = './cub_mocov2.py'

data_root = 'data/synthetic_cub'
crop_size = 96
resize_size = 110

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
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))

knn_monitor = dict(
    type='KNNMonitorHook',
    train_dataloader=dict(
        batch_size=100,
        num_workers=2,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dict(
            type='FineGrainedCUB',
            data_root=data_root,
            split='train',
            pipeline=test_pipeline)),
    val_dataloader=dict(
        batch_size=100,
        num_workers=2,
        sampler=dict(type='DefaultSampler', shuffle=False),
        collate_fn=dict(type='default_collate'),
        dataset=dict(
            type='FineGrainedCUB',
            data_root=data_root,
            split='test',
            pipeline=test_pipeline)),
    k=20,
    temperature=0.07,
    interval=10,
    feature_fn='extract_pooled_feat')
