"""Video object segmentation by label propagation on frozen features, and
the DAVIS region (J) and boundary (F) measures.

Protocol of DINO (Caron et al., ICCV 2021) and CRW (Jabri et al., "Space-
Time Correspondence as a Contrastive Random Walk", NeurIPS 2020), used by
BAM's DAVIS-2017 table: the first frame's ground-truth mask is given; the
labels of frame ``t`` are propagated from a context made of the first frame
and the ``n_last`` previous frames (with their *predicted* soft labels).
Every position of frame ``t`` takes the ``topk`` most similar context
positions (cosine similarity of L2-normalised features), optionally only
those within ``radius`` feature cells (spatial neighbourhood), weights them
with ``softmax(sim / temperature)`` over these ``topk`` and averages their
label distributions.

J (Jaccard) is the intersection over union of a predicted and a
ground-truth object mask; F is the boundary F-measure with a tolerance of
``0.008 x`` the image diagonal (Perazzi et al., CVPR 2016), computed as
davis2017-evaluation does (``seg2bmap`` boundaries, skimage ``disk``).
Both are averaged over the frames of an object, excluding the first
(given) and the last frame as the DAVIS 2017 evaluation does, then over
objects.
"""
import math
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def _spatial_mask(h: int,
                  w: int,
                  radius: Optional[float] = None,
                  window: int = 0) -> torch.Tensor:
    """``(h*w, h*w)`` bool: context cell within Euclidean ``radius`` of
    the target cell and, when ``window > 0``, inside the square
    ``(2 window + 1)^2`` window around it (DINO's
    ``size_mask_neighborhood``)."""
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    pos = torch.stack([ys.flatten(), xs.flatten()], 1).float()
    allowed = torch.ones(h * w, h * w, dtype=torch.bool)
    if radius is not None:
        allowed &= torch.cdist(pos, pos) <= radius
    if window > 0:
        allowed &= torch.cdist(pos, pos, p=float('inf')) <= window
    return allowed


def propagate_labels(frame_feats: Sequence[torch.Tensor],
                     first_labels: torch.Tensor,
                     n_last: int = 7,
                     topk: int = 5,
                     temperature: float = 0.1,
                     radius: Optional[float] = None,
                     size_mask_neighborhood: int = 12) -> List[torch.Tensor]:
    """Propagate the first frame's labels through a clip.

    Args:
        frame_feats (Sequence[Tensor]): One ``(C, h, w)`` feature map per
            frame (same ``h, w`` for all).
        first_labels (Tensor): First frame labels at feature resolution,
            ``(K, h, w)`` soft / one-hot (``K`` includes the background).
        n_last (int): Previous frames in the context besides the first.
            Defaults to 7 (DINO).
        topk (int): Neighbours per position. Defaults to 5 (DINO).
        temperature (float): Softmax temperature on cosine similarities.
            Defaults to 0.1.
        radius (float, optional): Only context cells within this distance
            (in feature cells) of the target cell count; None = no limit.
        size_mask_neighborhood (int): Only context cells in the square
            window of half-size this many cells around the target cell
            count (DINO's ``--size_mask_neighborhood``); 0 = no window.
            Defaults to 12 (DINO).

    Returns:
        list[Tensor]: ``(K, h, w)`` label distributions per frame (the
        first is ``first_labels``).
    """
    if len(frame_feats) == 0:
        raise ValueError('frame_feats is empty.')
    c, h, w = frame_feats[0].shape
    if first_labels.dim() != 3 or first_labels.shape[1:] != (h, w):
        raise ValueError(
            f'first_labels must be (K, {h}, {w}) to match the feature maps, '
            f'got {tuple(first_labels.shape)}.')
    if topk < 1 or n_last < 0 or not temperature > 0:
        raise ValueError('need topk >= 1, n_last >= 0 and temperature > 0.')
    feats = [
        F.normalize(f.reshape(c, h * w).T.float(), dim=1) for f in frame_feats
    ]
    labels = [first_labels.reshape(len(first_labels), h * w).T.float()]
    allowed = None
    if radius is not None or size_mask_neighborhood > 0:
        allowed = _spatial_mask(h, w, radius, size_mask_neighborhood)
    for t in range(1, len(feats)):
        ctx_idx = [0] + list(range(max(1, t - n_last), t))
        ctx_feats = torch.cat([feats[i] for i in ctx_idx])  # (M, C)
        ctx_labels = torch.cat([labels[i] for i in ctx_idx])  # (M, K)
        sims = feats[t] @ ctx_feats.T  # (hw, M)
        if allowed is not None:
            sims = sims.masked_fill(~allowed.repeat(1, len(ctx_idx)),
                                    float('-inf'))
        k = min(topk, sims.shape[1])
        top, idx = sims.topk(k, dim=1)
        weights = torch.softmax(top / temperature, dim=1)  # (hw, k)
        labels.append((weights.unsqueeze(2) * ctx_labels[idx]).sum(1))
    return [lab.T.reshape(-1, h, w) for lab in labels]


def labels_to_onehot(mask: np.ndarray, num_labels: int) -> torch.Tensor:
    """``(H, W)`` int mask -> ``(K, H, W)`` float one-hot."""
    mask = torch.as_tensor(np.asarray(mask), dtype=torch.long)
    if mask.min() < 0 or mask.max() >= num_labels:
        raise ValueError(f'mask values must lie in [0, {num_labels}).')
    return F.one_hot(mask, num_labels).permute(2, 0, 1).float()


def downsample_labels(onehot: torch.Tensor,
                      size,
                      mode: str = 'nearest') -> torch.Tensor:
    """``(K, H, W)`` one-hot -> ``(K, h, w)``.

    ``'nearest'`` (DINO: PIL ``NEAREST`` resize of the index mask; cell
    ``i`` takes pixel ``floor((i + 0.5) H / h)``), or ``'area'``
    (area-averaged label proportions)."""
    if mode == 'nearest':
        return F.interpolate(
            onehot.unsqueeze(0), size=size, mode='nearest-exact')[0]
    if mode == 'area':
        return F.adaptive_avg_pool2d(onehot.unsqueeze(0), size)[0]
    raise ValueError(f"label downsampling must be 'nearest' (DINO) or "
                     f"'area', got {mode!r}.")


def norm_mask(probs: torch.Tensor) -> torch.Tensor:
    """DINO's ``norm_mask``: each ``(h, w)`` channel of ``(K, h, w)`` with
    a positive maximum is min-max scaled to ``[0, 1]`` (a constant
    positive channel, 0 / 0 in DINO, becomes 1)."""
    out = probs.clone()
    for k in range(len(out)):
        ch = out[k]
        if ch.max() > 0:
            ch = ch - ch.min()
            out[k] = ch / ch.max() if ch.max() > 0 else torch.ones_like(ch)
    return out


def upsample_to_mask(probs: torch.Tensor,
                     size,
                     normalize: bool = True) -> np.ndarray:
    """``(K, h, w)`` label distributions -> ``(H, W)`` argmax mask:
    bilinear upsampling, then (``normalize``, DINO) :func:`norm_mask`,
    then argmax."""
    up = F.interpolate(
        probs.unsqueeze(0), size=size, mode='bilinear', align_corners=False)[0]
    if normalize:
        up = norm_mask(up)
    return up.argmax(0).numpy().astype(np.uint8)


def region_jaccard(pred: np.ndarray, gt: np.ndarray) -> float:
    """J: ``|pred & gt| / |pred | gt|`` of boolean masks; 1 if both are
    empty."""
    pred, gt = np.asarray(pred, bool), np.asarray(gt, bool)
    union = np.logical_or(pred, gt).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(pred, gt).sum() / union)


def mask_boundary(mask: np.ndarray) -> np.ndarray:
    """Boundary map of a boolean mask as davis2017-evaluation's
    ``_seg2bmap`` (D. Martin's BSDS ``seg2bmap``) defines it.

    A pixel is a boundary pixel when it differs from its right, lower or
    lower-right neighbour *inside the image*; neighbours beyond the frame
    are not compared, so the image border is never a boundary by itself
    (a mask filling the frame has none). Marks pixels on both sides of a
    horizontal / vertical edge offset by half a pixel towards the origin.

    Args:
        mask: ``(H, W)`` boolean mask.

    Returns:
        np.ndarray: ``(H, W)`` bool.
    """
    seg = np.asarray(mask, bool)
    b = np.zeros_like(seg)
    b[:, :-1] |= seg[:, :-1] != seg[:, 1:]
    b[:-1, :] |= seg[:-1, :] != seg[1:, :]
    b[:-1, :-1] |= seg[:-1, :-1] != seg[1:, 1:]
    return b


def disk(radius: float) -> np.ndarray:
    """``skimage.morphology.disk``: ``(2r+1, 2r+1)`` uint8, 1 where
    ``x^2 + y^2 <= r^2``."""
    r = int(radius)
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    return (xx**2 + yy**2 <= radius**2).astype(np.uint8)


def boundary_f_measure(pred: np.ndarray,
                       gt: np.ndarray,
                       bound_th: float = 0.008) -> float:
    """F: boundary F-measure of two boolean masks (davis2017-evaluation's
    ``f_measure``).

    Boundaries from :func:`mask_boundary`; a predicted boundary pixel is
    correct if a ground-truth boundary pixel lies within
    ``ceil(bound_th * diagonal)`` pixels (``bound_th`` itself when
    ``>= 1``; a :func:`disk` dilation), and vice versa for recall;
    ``F = 2PR / (P + R)``. Both boundaries empty gives 1, exactly one
    empty gives 0.
    """
    pred, gt = np.asarray(pred, bool), np.asarray(gt, bool)
    if pred.shape != gt.shape:
        raise ValueError(f'mask shapes differ: {pred.shape} vs {gt.shape}.')
    radius = (
        bound_th if bound_th >= 1 else math.ceil(bound_th *
                                                 math.hypot(*gt.shape)))
    bp, bg = mask_boundary(pred), mask_boundary(gt)
    if not bp.any() and not bg.any():
        return 1.0
    if not bp.any() or not bg.any():
        return 0.0
    kernel = disk(radius)
    gt_dil = cv2.dilate(bg.astype(np.uint8), kernel).astype(bool)
    pred_dil = cv2.dilate(bp.astype(np.uint8), kernel).astype(bool)
    precision = (bp & gt_dil).sum() / bp.sum()
    recall = (bg & pred_dil).sum() / bg.sum()
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def davis_j_and_f(
        pred_masks: Sequence[np.ndarray],
        gt_masks: Sequence[np.ndarray],
        object_ids: Optional[Sequence[int]] = None
) -> Dict[int, Dict[str, float]]:
    """Per-object mean J and F over the frames of one video.

    Frames ``1 .. T-2`` are scored (first and last excluded, as DAVIS 2017;
    all frames after the first when ``T <= 2``).

    Args:
        pred_masks, gt_masks: ``(H, W)`` integer masks per frame
            (0 = background, ``i`` = object ``i``).
        object_ids: Objects to score; default: those in the first gt mask.

    Returns:
        dict[int, dict]: ``{obj_id: {'J': ..., 'F': ...}}``.
    """
    if len(pred_masks) != len(gt_masks) or len(gt_masks) < 2:
        raise ValueError('need as many predicted as ground-truth masks, and '
                         'at least 2 frames.')
    if object_ids is None:
        # 255 marks void pixels (background in davis2017-evaluation)
        object_ids = [
            int(i) for i in np.unique(gt_masks[0]) if i not in (0, 255)
        ]
    n = len(gt_masks)
    frames = range(1, n - 1) if n > 2 else range(1, n)
    out = {}
    for obj in object_ids:
        js = [
            region_jaccard(pred_masks[t] == obj, gt_masks[t] == obj)
            for t in frames
        ]
        fs = [
            boundary_f_measure(pred_masks[t] == obj, gt_masks[t] == obj)
            for t in frames
        ]
        out[int(obj)] = dict(J=float(np.mean(js)), F=float(np.mean(fs)))
    return out
