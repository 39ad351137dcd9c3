"""Dense linear probe: frozen feature maps -> 1x1 conv -> segmentation.

A 1x1 convolution (a per-location linear map ``C -> K``) is fitted on
frozen ``(N, C, h, w)`` feature maps of training images; its logits are
upsampled bilinearly to the label size ``(H, W)`` and trained with the
pixel-wise cross-entropy. Held-out images are scored with the mean
intersection over union (mIoU, accumulated over the whole set as mmseg's
``IoUMetric`` does). Pure torch.
"""
from typing import Dict, Optional

import torch
import torch.nn.functional as F


def mean_iou(pred: torch.Tensor,
             target: torch.Tensor,
             num_classes: int,
             ignore_index: Optional[int] = None) -> Dict[str, object]:
    """Dataset-level IoU per class and their mean.

    ``IoU_k = |P_k & T_k| / |P_k | T_k|`` with pixel counts summed over all
    images (not averaged per image); classes absent from both prediction
    and target (union 0) are left out of the mean.

    Args:
        pred (Tensor): ``(N, H, W)`` int predicted labels.
        target (Tensor): ``(N, H, W)`` int labels in ``[0, num_classes)``
            (or ``ignore_index``).
        num_classes (int): ``K``.
        ignore_index (int, optional): label of pixels that are not scored.

    Returns:
        dict: ``miou`` (percent), ``iou`` list of ``K`` percents (NaN where
        the union is empty).
    """
    if pred.shape != target.shape or pred.dim() != 3:
        raise ValueError('pred and target must both be (N, H, W), got '
                         f'{tuple(pred.shape)} and {tuple(target.shape)}.')
    if pred.is_floating_point() or target.is_floating_point():
        raise ValueError('pred and target must be integer label maps.')
    valid = torch.ones_like(target, dtype=torch.bool)
    if ignore_index is not None:
        valid = target != ignore_index
    t, p = target[valid], pred[valid]
    if len(t) and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(f'target labels must lie in [0, {num_classes}); '
                         f'got [{int(t.min())}, {int(t.max())}].')
    if len(p) and (p.min() < 0 or p.max() >= num_classes):
        raise ValueError(f'pred labels must lie in [0, {num_classes}).')
    inter = torch.bincount(t[p == t], minlength=num_classes).double()
    area_p = torch.bincount(p, minlength=num_classes).double()
    area_t = torch.bincount(t, minlength=num_classes).double()
    union = area_p + area_t - inter
    iou = torch.where(union > 0, inter / union.clamp(min=1),
                      torch.full_like(union, float('nan')))
    present = union > 0
    if not present.any():
        raise ValueError('no scored pixel: mIoU is undefined.')
    return dict(
        miou=100.0 * float(iou[present].mean()),
        iou=[100.0 * float(v) for v in iou])


def _check(feats, labels, name):
    if not isinstance(feats, torch.Tensor) or feats.dim() != 4:
        raise ValueError(f'{name}_feats must be (N, C, h, w), got '
                         f'{getattr(feats, "shape", type(feats))}.')
    if not isinstance(labels, torch.Tensor) or labels.dim() != 3 or \
            labels.is_floating_point():
        raise ValueError(f'{name}_labels must be (N, H, W) integer labels, '
                         f'got {getattr(labels, "shape", type(labels))}.')
    if len(feats) != len(labels) or not len(feats):
        raise ValueError(f'{name}_feats ({len(feats)}) and {name}_labels '
                         f'({len(labels)}) must hold the same, non-zero '
                         'number of images.')
    if not torch.isfinite(feats).all():
        raise ValueError(f'{name}_feats contain NaN or inf.')


def _logits(conv, feats, size):
    return F.interpolate(
        conv(feats), size=size, mode='bilinear', align_corners=False)


def dense_linear_probe(train_feats: torch.Tensor,
                       train_labels: torch.Tensor,
                       test_feats: torch.Tensor,
                       test_labels: torch.Tensor,
                       num_classes: int,
                       steps: int = 200,
                       lr: float = 0.05,
                       weight_decay: float = 1e-4,
                       seed: int = 0) -> Dict[str, object]:
    """Fit a 1x1 conv on frozen train feature maps, score the test images.

    Channels are standardised with the train mean and std (an affine map,
    so the probe stays linear in the features); the 1x1 conv is trained
    full-batch with Adam for ``steps`` steps on the pixel-wise
    cross-entropy of its bilinearly upsampled logits.

    Args:
        train_feats (Tensor): ``(N, C, h, w)`` frozen feature maps.
        train_labels (Tensor): ``(N, H, W)`` int labels in
            ``[0, num_classes)`` (e.g. 0 background / 1 object, or the part
            labels of the synthetic test bed).
        test_feats (Tensor): ``(M, C, h, w)``.
        test_labels (Tensor): ``(M, H, W)``.
        num_classes (int): ``K >= 2``.

    Returns:
        dict: ``miou`` and ``iou`` (percent, :func:`mean_iou` on the test
        images), ``train_miou``, ``pred`` ``(M, H, W)`` test predictions.
    """
    _check(train_feats, train_labels, 'train')
    _check(test_feats, test_labels, 'test')
    if train_feats.shape[1] != test_feats.shape[1]:
        raise ValueError('train and test features have different channel '
                         f'counts ({train_feats.shape[1]} vs '
                         f'{test_feats.shape[1]}).')
    if num_classes < 2:
        raise ValueError(f'num_classes must be >= 2, got {num_classes}.')
    for name, lab in (('train', train_labels), ('test', test_labels)):
        if lab.min() < 0 or lab.max() >= num_classes:
            raise ValueError(f'{name}_labels must lie in [0, {num_classes}).')
    x_train, x_test = train_feats.float(), test_feats.float()
    mean = x_train.mean((0, 2, 3), keepdim=True)
    std = x_train.std((0, 2, 3), keepdim=True).clamp(min=1e-6)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    gen = torch.Generator().manual_seed(seed)
    conv = torch.nn.Conv2d(x_train.shape[1], num_classes, 1)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * 0.01)
        conv.bias.zero_()
    opt = torch.optim.Adam(conv.parameters(), lr=lr, weight_decay=weight_decay)
    target = train_labels.long()
    size = target.shape[-2:]
    with torch.enable_grad():
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(_logits(conv, x_train, size), target)
            loss.backward()
            opt.step()
    with torch.no_grad():
        train_pred = _logits(conv, x_train, size).argmax(1)
        pred = _logits(conv, x_test, test_labels.shape[-2:]).argmax(1)
    out = mean_iou(pred, test_labels.long(), num_classes)
    out['train_miou'] = mean_iou(train_pred, target, num_classes)['miou']
    out['pred'] = pred
    return out
