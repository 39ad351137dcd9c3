# The BAM multi-crop views of imagenet_bam_multicrop.py at demo sizes (global
# 224 -> 96, local 96 -> 48 px) on the embedded synthetic dataset, with the
# loader, CUB test loaders and kNN monitor of synthetic_cub_mocov2.py.
# Deliberately unlike the paper, the demo's crops resize bilinearly
# (RandomResizedCrop's default, not bicubic) and both global crops share one
# symmetric view (blur 0.5, solarize 0.1; num_views [2, 6]) instead of BYOL's
# asymmetric pair (blur 1 / 0.1, solarize 0 / 0.2; num_views [1, 1, 6]).
_base_ = './synthetic_cub_mocov2.py'
from mmengine.config import Config  # noqa

from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

global_size = 96
local_size = 48

_paper = Config.fromfile('{{fileDirname}}/imagenet_bam_multicrop.py')
color = _paper.color
gray = _paper.gray


def _demo(view, **probs):
    """A paper view resized bilinearly, with ``probs`` (type -> prob)."""
    view[0].pop('interpolation')  # the crop comes first
    for step in view:
        if step.type in probs:
            step.prob = probs[step.type]
    return view


train_pipeline = rescale_sizes(_paper.train_pipeline, {
    _paper.global_size: global_size,
    _paper.local_size: local_size
})
_views = train_pipeline[1].transforms  # global_view1, global_view2, local
global_view = _demo(_views[0], GaussianBlur=0.5, Solarize=0.1)
local_view = _demo(_views[2])
train_pipeline[0] = _base_.train_pipeline[0]  # CheckedLoadImageFromFile
train_pipeline[1].update(
    num_views=[2, 6], transforms=[global_view, local_view])
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# BAM has no extract_pooled_feat: kNN on its backbone output
knn_monitor = dict(feature_fn='extract_feat')
del Config, _paper, _views
