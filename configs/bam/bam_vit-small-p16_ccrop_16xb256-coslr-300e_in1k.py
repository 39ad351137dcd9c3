# BAM, ViT-S/16 + ContrastiveCrop (the paper's full model, Table 1; Appendix
# G: RandomResizedCrop for 40 warm-up epochs, then boxes from the EMA
# teacher's last-block [cls]-to-patch attention summed over heads, updated
# every 20 epochs (the authors' scripts: 40), none after the last epoch).
_base_ = './bam_vit-small-p16_16xb256-coslr-300e_in1k.py'
import copy  # noqa

data_root = 'data/imagenet/'

# the base's views (BYOL's two global + the local one) with ContrastiveCrop
# in place of RandomResizedCrop (same scale, ratio range, bicubic)
train_pipeline = copy.deepcopy(_base_.train_pipeline)
for _view in train_pipeline[1].transforms:
    _view[0].update(type='ContrastiveCrop', alpha=0.6)
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
