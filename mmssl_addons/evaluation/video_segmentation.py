"""DAVIS-2017 semi-supervised video object segmentation by label
propagation on frozen features (see :mod:`.functional.label_propagation`).

Layout read (DAVIS 2017 trainval, or the synthetic clips of
:mod:`mmssl_addons.synthetic.video`)::

    <root>/JPEGImages/<res>/<video>/*.jpg
    <root>/Annotations/<res>/<video>/*.png      palette PNG, 0 = background
    <root>/ImageSets/<year>/<split>.txt
"""
import glob
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
from PIL import Image

from .functional.label_propagation import (davis_j_and_f, downsample_labels,
                                           labels_to_onehot, propagate_labels,
                                           upsample_to_mask)

DAVIS_HINT = ('Download DAVIS-2017 trainval 480p (davischallenge.org) and '
              'extract it so that <root>/ImageSets/2017/val.txt exists, or '
              'make synthetic clips with `python -m '
              'mmssl_addons.synthetic.video --out '
              'data/synthetic_davis`.')


def read_video_list(root: str,
                    split: str = 'val',
                    year: str = '2017') -> List[str]:
    path = osp.join(root, 'ImageSets', year, f'{split}.txt')
    if not osp.isfile(path):
        raise FileNotFoundError(f'DAVIS split file not found: {path}. '
                                f'{DAVIS_HINT}')
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def load_video(root: str, video: str, resolution: str = '480p'):
    """Frames (BGR uint8 ``(H, W, 3)``) and index masks ``(H, W)``; the
    masks list may be shorter (only the first is needed to propagate)."""
    frames = sorted(
        glob.glob(osp.join(root, 'JPEGImages', resolution, video, '*.jpg')))
    if not frames:
        raise FileNotFoundError(
            f'no frames for video {video!r} under '
            f'{osp.join(root, "JPEGImages", resolution, video)}.')
    masks = sorted(
        glob.glob(osp.join(root, 'Annotations', resolution, video, '*.png')))
    if not masks:
        raise FileNotFoundError(f'no annotation of video {video!r}: the '
                                'first frame mask is required.')
    images = [cv2.imread(p, cv2.IMREAD_COLOR) for p in frames]
    gts = [np.array(Image.open(p)) for p in masks]
    if any(g.ndim != 2 for g in gts):
        raise ValueError(f'annotations of {video!r} must be palette / index '
                         'PNGs (H, W), as DAVIS ships them.')
    return images, gts, [osp.basename(p) for p in frames]


def save_mask_png(mask: np.ndarray, path: str) -> None:
    from ..synthetic.video import save_palette_png
    save_palette_png(mask, path)


def evaluate_video(feature_fn: Callable[[List[np.ndarray]], torch.Tensor],
                   frames: List[np.ndarray],
                   gt_masks: List[np.ndarray],
                   n_last: int = 7,
                   topk: int = 5,
                   temperature: float = 0.1,
                   radius: Optional[float] = None,
                   size_mask_neighborhood: int = 12,
                   normalize: bool = True,
                   label_downsample: str = 'nearest'):
    """Propagate the first mask through ``frames``; score with J and F.

    Args:
        feature_fn: ``frames -> (T, C, h, w)`` features.
        size_mask_neighborhood, normalize, label_downsample: DINO's
            square window (12), ``norm_mask`` before the argmax (True) and
            nearest downsampling of the first mask (``'nearest'``); see
            :mod:`.functional.label_propagation`.

    Returns:
        tuple: predicted index masks per frame and
        ``{obj_id: {'J', 'F'}}``.
    """
    first = np.where(gt_masks[0] == 255, 0, gt_masks[0]).astype(np.int64)
    num_labels = int(first.max()) + 1
    feats = feature_fn(frames)
    if feats.dim() != 4 or len(feats) != len(frames):
        raise ValueError(f'feature_fn must return (T={len(frames)}, C, h, '
                         f'w), got {tuple(feats.shape)}.')
    h, w = feats.shape[-2:]
    first_small = downsample_labels(
        labels_to_onehot(first, num_labels), (h, w), label_downsample)
    probs = propagate_labels(
        list(feats), first_small, n_last, topk, temperature, radius,
        size_mask_neighborhood)
    size = first.shape
    preds = [first.astype(np.uint8)
             ] + [upsample_to_mask(p, size, normalize) for p in probs[1:]]
    n = min(len(preds), len(gt_masks))
    if n < 2:
        return preds, {}
    return preds, davis_j_and_f(preds[:n], gt_masks[:n])


def evaluate_davis(feature_fn: Callable[[List[np.ndarray]], torch.Tensor],
                   root: str,
                   videos: Optional[Sequence[str]] = None,
                   split: str = 'val',
                   resolution: str = '480p',
                   n_last: int = 7,
                   topk: int = 5,
                   temperature: float = 0.1,
                   radius: Optional[float] = None,
                   size_mask_neighborhood: int = 12,
                   normalize: bool = True,
                   label_downsample: str = 'nearest',
                   save_dir: Optional[str] = None,
                   progress: bool = True) -> Dict[str, object]:
    """J&F mean over the videos of a DAVIS-layout folder.

    Returns:
        dict: ``J_mean``, ``F_mean``, ``JF_mean`` (means over all objects
        of all videos, in ``[0, 1]``, as the DAVIS 2017 evaluation) and
        ``per_video`` ``{video: {obj_id: {'J', 'F'}}}``.
    """
    from tqdm import tqdm
    videos = list(videos or read_video_list(root, split))
    per_video, js, fs = {}, [], []
    for video in tqdm(videos, desc='propagating', disable=not progress):
        frames, gts, names = load_video(root, video, resolution)
        preds, scores = evaluate_video(feature_fn, frames, gts, n_last, topk,
                                       temperature, radius,
                                       size_mask_neighborhood, normalize,
                                       label_downsample)
        per_video[video] = {str(k): v for k, v in scores.items()}
        js += [v['J'] for v in scores.values()]
        fs += [v['F'] for v in scores.values()]
        if save_dir is not None:
            for pred, name in zip(preds, names):
                save_mask_png(
                    pred,
                    osp.join(save_dir, video,
                             osp.splitext(name)[0] + '.png'))
    if not js:
        raise ValueError('no object was scored: videos need at least two '
                         'annotated frames with objects in the first.')
    j, f = float(np.mean(js)), float(np.mean(fs))
    return dict(J_mean=j, F_mean=f, JF_mean=(j + f) / 2, per_video=per_video)


#: mmpretrain ResNets whose stem (stride-2 conv + stride-2 max-pool) has
#: stride 4 and whose stage strides can change without changing weights.
RESNET_TYPES = ('ResNet', 'ResNetV1c', 'mmpretrain.ResNet',
                'mmpretrain.ResNetV1c')


def resnet_output_stride(backbone: dict, stride: int = 8) -> bool:
    """Set the stage ``strides`` of an mmpretrain ResNet config (in place)
    so no stage outputs coarser than ``stride`` (CRW / DINO-style dense
    stride-8 maps: res3 and res4 strides 1 for ``(1, 2, 2, 2)``). The
    weights are unchanged. Returns False (config untouched) for other
    backbones (e.g. a ViT, whose stride is its patch size)."""
    if backbone.get('type') not in RESNET_TYPES:
        return False
    if backbone.get('avg_down', False):
        raise ValueError('avg_down ResNets change their layer names with '
                         'the stride; pass --stride 0 to keep the '
                         "config's strides.")
    cum, new = 4, []
    for s in backbone.get('strides', (1, 2, 2, 2)):
        s = s if cum * s <= stride else 1
        cum *= s
        new.append(s)
    backbone['strides'] = tuple(new)
    return True
