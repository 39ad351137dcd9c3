# The CLoVE views of imagenet_clove_multicrop.py at 96 / 48 px (global 224 ->
# 96, local 96 -> 48) on the embedded synthetic dataset, with the loader, CUB
# test loaders and kNN monitor of synthetic_cub_mocov2.py. Deliberately unlike
# the paper, the demo's crops resize bilinearly (RandomResizedCrop's default,
# not bicubic) and the views that never solarize have no Solarize(prob=0)
# step (a no-op that still draws a random number).
_base_ = './synthetic_cub_mocov2.py'
from mmengine.config import Config  # noqa

from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

global_size = 96
local_size = 48

_paper = Config.fromfile('{{fileDirname}}/imagenet_clove_multicrop.py')


def _demo(view):
    """A paper view, resized bilinearly, without no-op Solarize steps."""
    view[0].pop('interpolation')  # RandomResizedCropWithBox comes first
    return [t for t in view if t.type != 'Solarize' or t.prob > 0]


train_pipeline = rescale_sizes(_paper.train_pipeline, {
    _paper.global_size: global_size,
    _paper.local_size: local_size
})
train_pipeline[0] = _base_.train_pipeline[0]  # CheckedLoadImageFromFile
train_pipeline[1].transforms = [_demo(v) for v in train_pipeline[1].transforms]
global_view1, global_view2, local_view = train_pipeline[1].transforms
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
del Config, _paper
