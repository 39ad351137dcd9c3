# The DiLo pipelines of imagenet_dilo.py at 96 px on the embedded synthetic
# dataset, with RBD masks in data/synthetic_cub/saliency_rbd. Demo configs
# add PrecomputeSaliencyHook, which computes missing masks before training.
_base_ = './synthetic_cub_mocov2.py'
from mmengine.config import Config  # noqa

from mmssl_addons.utils.config_scaling import reroot, rescale_sizes  # noqa

data_root = 'data/synthetic_cub'
img_root = data_root + '/images'
mask_root = data_root + '/saliency_rbd'
crop_size = 96

_paper = Config.fromfile('{{fileDirname}}/imagenet_dilo.py')


def _demo(name, strict=True, paper=_paper):
    """The paper's ``name`` at the demo's size and paths."""
    node = rescale_sizes(paper[name], {paper.crop_size: crop_size}, strict)
    node = reroot(node, paper.img_root, img_root)
    return reroot(node, paper.mask_root, mask_root)


npid_view = _demo('npid_view')
mocov2_view = _demo('mocov2_view')
load_mask = _demo('load_mask', strict=False)
copy_paste = _demo('copy_paste', strict=False)
npid_train_pipeline = _demo('npid_train_pipeline')
dilo_npid_train_pipeline = _demo('dilo_npid_train_pipeline')
mocov2_train_pipeline = _demo('mocov2_train_pipeline')
dilo_mocov2_train_pipeline = _demo('dilo_mocov2_train_pipeline')
precompute_saliency = dict(
    type='PrecomputeSaliencyHook',
    img_root=img_root,
    mask_root=mask_root,
    method='rbd',
    workers=2)
del Config, _paper
