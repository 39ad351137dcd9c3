"""DINO's label-propagation options (facebookresearch/dino
``eval_video_segmentation.py``) against naive references."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from mmssl_addons.evaluation.functional import propagate_labels
from mmssl_addons.evaluation.functional.label_propagation import (
    downsample_labels, labels_to_onehot, norm_mask, upsample_to_mask)


def naive_window_propagate(feats, first, topk, temperature, window):
    """One target frame from the first: loops, square window."""
    c, h, w = feats[0].shape
    out = torch.zeros_like(first)
    for y in range(h):
        for x in range(w):
            q = F.normalize(feats[1][:, y, x], dim=0)
            cands = []
            for yy in range(h):
                for xx in range(w):
                    if max(abs(yy - y), abs(xx - x)) > window:
                        continue
                    k = F.normalize(feats[0][:, yy, xx], dim=0)
                    cands.append((float(q @ k), first[:, yy, xx]))
            cands.sort(key=lambda s: -s[0])
            top = cands[:topk]
            ws = [math.exp(s / temperature) for s, _ in top]
            out[:, y,
                x] = sum(wi * lab for wi, (_, lab) in zip(ws, top)) / sum(ws)
    return out


def test_square_window_matches_naive_loops():
    g = torch.Generator().manual_seed(0)
    feats = [torch.randn(4, 6, 7, generator=g) for _ in range(2)]
    first = torch.softmax(torch.randn(3, 6, 7, generator=g), 0)
    for window in (1, 2):
        ours = propagate_labels(
            feats,
            first,
            topk=3,
            temperature=0.1,
            size_mask_neighborhood=window)[1]
        ref = naive_window_propagate(feats, first, 3, 0.1, window)
        assert torch.allclose(ours, ref, atol=1e-5)
    # the default (12) covers this small map: same as no window
    a = propagate_labels(feats, first, topk=3)[1]
    b = propagate_labels(feats, first, topk=3, size_mask_neighborhood=0)[1]
    assert torch.allclose(a, b)


def test_window_is_a_square_not_a_disc():
    # only the corner cell (distance sqrt(8) > 2) carries label 1
    feats = [torch.ones(1, 5, 5) for _ in range(2)]
    first = torch.zeros(2, 5, 5)
    first[0] = 1
    first[:, 0, 0] = torch.tensor([0., 1.])
    out = propagate_labels(feats, first, topk=25, size_mask_neighborhood=2)[1]
    assert out[1, 2, 2] == pytest.approx(1 / 25)  # whole map is its window


def test_nearest_downsampling_is_pil_nearest():
    rng = np.random.default_rng(0)
    mask = rng.integers(0, 4, (37, 53)).astype(np.uint8)
    for size in ((5, 7), (12, 9)):
        ref = np.array(Image.fromarray(mask).resize(size[::-1], 0))
        ours = downsample_labels(labels_to_onehot(mask, 4), size).argmax(0)
        assert np.array_equal(ours.numpy(), ref)
    with pytest.raises(ValueError, match='nearest'):
        downsample_labels(labels_to_onehot(mask, 4), (5, 7), 'bicubic')


def test_norm_mask_matches_naive_and_changes_the_argmax():
    g = torch.Generator().manual_seed(0)
    p = torch.rand(3, 4, 5, generator=g)
    p[2] = 0  # all-zero channel stays
    ref = p.clone()
    for k in range(3):
        vals = [float(v) for v in p[k].flatten()]
        lo, hi = min(vals), max(vals)
        if hi > 0:
            ref[k] = (p[k] - lo) / (hi - lo)
    assert torch.allclose(norm_mask(p), ref)
    # a weak object channel wins where it peaks once normalised
    probs = torch.zeros(2, 1, 3)
    probs[0] = torch.tensor([0.9, 0.8, 0.9])
    probs[1] = torch.tensor([0.1, 0.2, 0.1])
    assert upsample_to_mask(
        probs, (1, 3), normalize=False).tolist() == [[0, 0, 0]]
    assert upsample_to_mask(probs, (1, 3)).tolist() == [[0, 1, 0]]


def test_resnet_stride_8_keeps_weights():
    from mmpretrain.models import ResNet

    from mmssl_addons.evaluation.video_segmentation import resnet_output_stride
    cfg = dict(type='ResNet', depth=18, strides=(1, 2, 2, 2))
    ref = ResNet(depth=18).state_dict()
    assert resnet_output_stride(cfg) and cfg['strides'] == (1, 2, 1, 1)
    kw = {k: v for k, v in cfg.items() if k != 'type'}
    net = ResNet(**kw, out_indices=(3, ))
    net.eval()
    assert net.state_dict().keys() == ref.keys()
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 64, 96))[-1]
    assert out.shape[-2:] == (8, 12)  # stride 8
    cfg = dict(type='ResNet', depth=18, strides=(1, 2, 2, 1))
    assert resnet_output_stride(cfg) and cfg['strides'] == (1, 2, 1, 1)
    assert not resnet_output_stride(dict(type='VisionTransformer'))
