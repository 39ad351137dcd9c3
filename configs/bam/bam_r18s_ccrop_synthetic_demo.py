# CPU demo: BAM + ContrastiveCrop. The ContrastiveCrop steps, the box
# loader and the ContrastiveCropHook are those of
# bam_vit-small-p16_ccrop_16xb256-coslr-300e_in1k.py at demo sizes (224 -> 96,
# 96 -> 48 px; boxes on the whole image resized to 96 x 96); the rest of each
# view is the demo's (synthetic_cub_bam.py: bilinear, one symmetric global
# view). Unlike the paper (Appendix G: ViT attention, 40 warm-up epochs,
# every 20), boxes come from the teacher's summed last-stage ResNet feature
# maps (arch='cnn'), after 10 warm-up epochs and every 5 (a 30-epoch demo).
_base_ = './bam_r18s_synthetic_demo.py'
from mmengine.config import Config  # noqa

from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

_paper = Config.fromfile(
    '{{fileDirname}}/bam_vit-small-p16_ccrop_16xb256-coslr-300e_in1k.py')
_sizes = {
    _paper.global_size: _base_.global_size,
    _paper.local_size: _base_.local_size
}
_crops = rescale_sizes(_paper.train_pipeline, _sizes)[1].transforms


def _ccrop(paper_view, demo_view):
    """The demo's view with the paper's ContrastiveCrop, bilinear."""
    crop = paper_view[0]
    crop.pop('interpolation')
    return [crop] + demo_view[1:]


global_view = _ccrop(_crops[0], _base_.global_view)
local_view = _ccrop(_crops[2], _base_.local_view)
train_pipeline = list(_base_.train_pipeline)
train_pipeline[1] = dict(
    train_pipeline[1], transforms=[global_view, local_view])
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ContrastiveCropDataset',
        dataset=dict(
            type=_base_.dataset_type,
            data_root=_base_.data_root,
            split='train',
            pipeline=train_pipeline)))
box_loader = rescale_sizes(_paper.box_loader,
                           {_paper.global_size: _base_.global_size})
box_loader.update(batch_size=100, num_workers=2)  # demo loader sizes
box_loader.dataset.update(type=_base_.dataset_type, data_root=_base_.data_root)
# CheckedLoadImageFromFile
box_loader.dataset.pipeline[0] = _base_.train_pipeline[0]
_hook = _paper.custom_hooks[-1]
_hook.pop('encoder')  # 'teacher', the hook's default
_hook.update(dataloader=box_loader, arch='cnn', warmup_epochs=10, interval=5)
custom_hooks = _base_.custom_hooks + [_hook]
del Config, _paper, _sizes, _crops, _hook
