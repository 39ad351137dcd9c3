"""Test-pipeline images with their ground-truth masks, for the mask probes.

The synthetic test bed (:mod:`mmssl_addons.synthetic`) stores an
object mask and a part label map per image. The probe tools need them in
the frame of the network input, i.e. after the config's test pipeline
(e.g. ``ResizeEdge`` + ``CenterCrop``). :func:`geometric_transform` runs
that pipeline, without its loading and packing steps, on any ``(H, W, 3)``
uint8 array; masks travel through it as 0 / 255 channels and are
thresholded at 128 afterwards (bilinear resizing then acts like a
nearest-centre rule at the boundary). Only deterministic pipelines are
meaningful here (a test pipeline is).
"""
import json
import os.path as osp
from typing import Callable, Dict, List

import numpy as np
import torch
from PIL import Image

from ..synthetic import PART_MASK_LABELS
from .feature_cache import split_dataset_cfg

#: Masks returned by :func:`load_split_with_masks`.
MASK_NAMES = ('object', 'head', 'beak', 'tail', 'wing_stripe')
_SKIP = ('LoadImageFromFile', 'CheckedLoadImageFromFile', 'PackInputs')


def build_pipeline(pipeline_cfg: List[dict]) -> Callable:
    """Compose of the transforms, built in mmpretrain's registry."""
    from mmcv.transforms import Compose
    from mmpretrain.registry import TRANSFORMS
    return Compose([TRANSFORMS.build(dict(t)) for t in pipeline_cfg])


def geometric_transform(pipeline_cfg: List[dict]) -> Callable:
    """``(H, W, 3) uint8 -> (H', W', 3) uint8`` by the pipeline's
    transforms other than loading and packing."""
    compose = build_pipeline(
        [t for t in pipeline_cfg if t['type'] not in _SKIP])

    def run(array: np.ndarray) -> np.ndarray:
        h, w = array.shape[:2]
        out = compose(
            dict(
                img=np.ascontiguousarray(array),
                img_shape=(h, w),
                ori_shape=(h, w)))
        return out['img']

    return run


def transform_masks(transform: Callable,
                    masks: List[np.ndarray]) -> List[np.ndarray]:
    """Send (H, W) bool masks through ``transform`` three at a time."""
    out = []
    for start in range(0, len(masks), 3):
        group = masks[start:start + 3]
        stack = np.zeros(group[0].shape + (3, ), np.uint8)
        for c, m in enumerate(group):
            stack[..., c] = m.astype(np.uint8) * 255
        moved = transform(stack)
        out += [moved[..., c] >= 128 for c in range(len(group))]
    return out


def dataset_annotations(dataset_cfg: dict) -> Dict[str, dict]:
    """``{absolute image path: record}`` from the dataset root's
    ``annotations.json`` (the synthetic test bed)."""
    root = dataset_cfg.get('data_root', '')
    path = osp.join(root, 'annotations.json')
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: the mask probes need the synthetic test bed '
            '(python -m mmssl_addons.synthetic --out DIR) as the '
            'test dataset (--cfg-options test_dataloader.dataset.data_root='
            'DIR).')
    with open(path) as f:
        doc = json.load(f)
    return {
        osp.abspath(osp.join(root, r['file'])): dict(r, root=root)
        for r in doc['images']
    }


def record_masks(record: dict) -> List[np.ndarray]:
    """The :data:`MASK_NAMES` masks (H, W) bool of one record."""
    if 'part_mask_file' not in record:
        raise ValueError('the dataset has no part masks (part_mask_file); '
                         'regenerate it with the current '
                         'mmssl_addons.synthetic.')
    labels = np.asarray(
        Image.open(osp.join(record['root'], record['part_mask_file'])))
    return [labels > 0
            ] + [labels == PART_MASK_LABELS.index(n) for n in MASK_NAMES[1:]]


def load_split_with_masks(cfg, split: str = 'test', max_images=None) -> dict:
    """Images of ``split`` through the test pipeline, with their masks.

    Returns:
        dict: ``inputs`` ``(N, 3, H, W)`` uint8 (as ``default_collate``
        stacks them, BGR), ``labels`` ``(N,)``, ``masks`` ``{name: (N, H,
        W) bool}`` for :data:`MASK_NAMES`, ``records``.
    """
    from mmpretrain.registry import DATASETS
    ds_cfg = split_dataset_cfg(cfg, split)
    records = dataset_annotations(ds_cfg)
    dataset = DATASETS.build(ds_cfg)
    transform = geometric_transform(ds_cfg['pipeline'])
    n = len(dataset) if max_images is None else min(max_images, len(dataset))
    inputs, labels, masks, picked = [], [], {k: [] for k in MASK_NAMES}, []
    for i in range(n):
        sample = dataset[i]
        record = records.get(osp.abspath(sample['data_samples'].img_path))
        if record is None:
            raise ValueError(f'{sample["data_samples"].img_path} is not in '
                             'annotations.json of the dataset root.')
        inputs.append(sample['inputs'])
        labels.append(int(sample['data_samples'].gt_label))
        moved = transform_masks(transform, record_masks(record))
        if moved[0].shape != tuple(sample['inputs'].shape[-2:]):
            raise ValueError('the pipeline changes masks and images '
                             'differently; use a deterministic test '
                             'pipeline.')
        for name, m in zip(MASK_NAMES, moved):
            masks[name].append(torch.from_numpy(m))
        picked.append(record)
    return dict(
        inputs=torch.stack(inputs),
        labels=torch.tensor(labels),
        masks={
            k: torch.stack(v)
            for k, v in masks.items()
        },
        records=picked)


def preprocess(model, inputs: torch.Tensor) -> torch.Tensor:
    """Raw ``(N, 3, H, W)`` images -> normalised model input."""
    data = model.data_preprocessor(
        dict(inputs=inputs, data_samples=None), False)
    x = data['inputs']
    return x[0] if isinstance(x, (list, tuple)) else x


@torch.no_grad()
def feature_maps(model,
                 inputs: torch.Tensor,
                 batch_size: int = 64) -> torch.Tensor:
    """Last backbone stage ``(N, C, h, w)`` of raw images (eval mode)."""
    model.eval()
    out = []
    for start in range(0, len(inputs), batch_size):
        x = preprocess(model, inputs[start:start + batch_size])
        out.append(model.backbone(x)[-1].float().cpu())
    return torch.cat(out)


def pair_images(cfg, max_pairs=None) -> dict:
    """The controlled pairs of the test bed through the test pipeline.

    Returns:
        dict: ``rows`` (``pairs.json`` entries), ``root`` and, for each of
        ``anchor``, ``background`` and ``object``, raw ``(N, 3, H, W)``
        images.
    """
    from mmengine.dataset import default_collate

    from ..synthetic.pairs import PAIR_KINDS, read_pairs
    ds_cfg = split_dataset_cfg(cfg, 'test')
    root = ds_cfg.get('data_root', '')
    rows = read_pairs(root)
    rows = rows[:max_pairs] if max_pairs else rows
    pipeline = build_pipeline(ds_cfg['pipeline'])
    out = dict(rows=rows, root=root)
    for kind in ('anchor', ) + PAIR_KINDS:
        out[kind] = default_collate([
            pipeline(dict(img_path=osp.join(root, r[kind]), gt_label=0))
            for r in rows
        ])['inputs']
    return out


@torch.no_grad()
def images_features(model,
                    feature_fn,
                    images: torch.Tensor,
                    batch_size: int = 64) -> torch.Tensor:
    """``(N, C)`` float features of raw images by ``feature_fn``."""
    return torch.cat([
        feature_fn(preprocess(model, images[s:s + batch_size])).float().cpu()
        for s in range(0, len(images), batch_size)
    ])
