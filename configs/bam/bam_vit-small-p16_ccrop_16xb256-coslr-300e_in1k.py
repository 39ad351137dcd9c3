# BAM, ViT-S/16 + ContrastiveCrop (the paper's full model, Table 1; Appendix
# G: RandomResizedCrop for 40 warm-up epochs, then boxes from the EMA
# teacher's last-block [cls]-to-patch attention summed over heads, updated
# every 20 epochs (the authors' scripts: 40), none after the last epoch).
_base_ = './bam_vit-small-p16_16xb256-coslr-300e_in1k.py'

data_root = 'data/imagenet/'


def _view(size, scale, blur, solarize):
    """ContrastiveCrop + the BYOL augmentations of the base config."""
    view = [
        dict(
            type='ContrastiveCrop',
            scale=size,
            crop_ratio_range=scale,
            alpha=0.6,
            interpolation='bicubic',
            backend='pillow'),
        dict(type='RandomFlip', prob=0.5),
        dict(
            type='RandomApply',
            transforms=[
                dict(
                    type='ColorJitter',
                    brightness=0.4,
                    contrast=0.4,
                    saturation=0.2,
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
            prob=blur)
    ]
    if solarize is not None:
        view.append(dict(type='Solarize', thr=128, prob=solarize))
    return view


train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiView',
        num_views=[1, 1, 6],
        transforms=[
            _view(224, (0.25, 1.), 1., 0.),
            _view(224, (0.25, 1.), 0.1, 0.2),
            _view(96, (0.05, 0.25), 0.5, None),
        ]),
    dict(type='PackInputs')
]
del _view
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ContrastiveCropDataset',
        dataset=dict(
            type='ImageNet',
            data_root=data_root,
            split='train',
            pipeline=train_pipeline)))
box_loader = dict(
    batch_size=256,
    num_workers=10,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='ImageNet',
        data_root=data_root,
        split='train',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(224, 224), backend='pillow'),
            dict(type='PackInputs')
        ]))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(
        type='BAMTargetTemperatureHook',
        start=0.05,
        end=0.05,
        warmup_epochs=30),
    dict(
        type='ContrastiveCropHook',
        dataloader=box_loader,
        warmup_epochs=40,
        interval=20,
        arch='vit',
        threshold=0.1,
        encoder='teacher')
]
