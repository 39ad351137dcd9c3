# The SCA pipelines of imagenet_swav_sca.py at demo sizes (global crops
# 224 -> 96 px, local 96 -> 48, centre crop 256/224 -> 110/96) on the
# synthetic fine-grained dataset, for CPU demos and tests: SwAV multi-crop
# (2 x 96 + 2 x 48), P single 96 px positives from the anchor's k-means
# cluster, and the SCA clustering hook (`sca_clustering`); configs add it
# with `custom_hooks = [..., {{_base_.sca_clustering}}]`. The CUB test
# loaders and kNN monitor come from ./synthetic_cub_mocov2.py.
_base_ = './synthetic_cub_mocov2.py'
from mmengine.config import Config  # noqa

from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

data_root = 'data/synthetic_cub'
num_positives = 2  # P, as in the paper config
num_clusters = 20  # demo: the synthetic set has 20 classes

_paper = Config.fromfile('{{fileDirname}}/imagenet_swav_sca.py')
_images = dict(type=_base_.dataset_type, data_root=data_root, split='train')


def _demo(node, sizes):
    """A copy of the paper's ``node`` at demo sizes, loading images with
    CheckedLoadImageFromFile (a clear error for a missing demo image)."""
    node = rescale_sizes(node, sizes)
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if item.get('type') == 'LoadImageFromFile':
                item['type'] = 'CheckedLoadImageFromFile'
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return node


color_jitter = _paper.color_jitter
augment = _paper.augment
global_crop = _demo(_paper.global_crop, {224: 96})
local_crop = _demo(_paper.local_crop, {96: 48})
train_pipeline = _demo(_paper.swav_pipeline, {224: 96, 96: 48})
train_pipeline[1].num_views = [2, 2]  # demo: 2 local crops, not 6
positive_pipeline = _demo(_paper.swav_positive_pipeline, {224: 96})
sca_train_dataset = dict(
    _paper.sca_train_dataset,
    dataset=_images,
    pipeline=train_pipeline,
    positive_pipeline=positive_pipeline,
    num_positives=num_positives)
plain_train_dataset = dict(
    _paper.plain_train_dataset, **_images, pipeline=train_pipeline)
# the paper's batch of 32; workers (demo: 2) from ./synthetic_cub_mocov2.py
train_dataloader = dict(
    batch_size=32, drop_last=True, dataset=sca_train_dataset)

# z = theta(I) for the memory bank: the paper's centre crop of each image
sca_clustering = _demo(_paper.sca_clustering, {256: 110, 224: 96})
sca_clustering.update(  # demo: fewer clusters, a smaller loader
    num_clusters=num_clusters,
    dataloader=dict(batch_size=100, num_workers=2, dataset=_images))
embed_pipeline = sca_clustering.dataloader.dataset.pipeline
# the SwAV / SimSiam models have no `extract_pooled_feat`: pool layer4
knn_monitor = dict(feature_fn='extract_feat')
del Config, _paper, _images
