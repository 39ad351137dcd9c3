"""ContrastiveCrop: transform, box store, heatmap boxes."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS, TRANSFORMS

import mmssl_addons  # noqa: F401
from mmssl_addons.datasets import ContrastiveCropDataset
from mmssl_addons.models.utils import (cnn_heatmap, heatmap_boxes,
                                       vit_cls_attention_heatmap)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: extra threads only add overhead on shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def coordinate_image(size=200):
    """Pixel (y, x) holds (y, x, 0) so a crop reveals where it came from."""
    y, x = np.mgrid[:size, :size]
    return np.stack([y, x, np.zeros_like(y)], -1).astype(np.uint8)


def crop_centres(box, n=300, alpha=0.6, seed=0):
    t = TRANSFORMS.build(
        dict(
            type='ContrastiveCrop',
            scale=16,
            crop_ratio_range=(0.01, 0.02),
            alpha=alpha,
            interpolation='nearest'))
    np.random.seed(seed)
    centres = []
    for _ in range(n):
        res = dict(img=coordinate_image())
        if box is not None:
            res['crop_box'] = box
        out = t.transform(res)['img']
        assert out.shape == (16, 16, 3)
        top, left = out[0, 0, :2].astype(float)
        bottom, right = out[-1, -1, :2].astype(float)
        centres.append(((top + bottom) / 2, (left + right) / 2))
    return np.array(centres)


def test_crop_centres_fall_inside_the_box():
    c = crop_centres((0.25, 0.5, 0.5, 0.75))  # rows 50-100, cols 100-150
    assert c[:, 0].min() >= 48 and c[:, 0].max() <= 102
    assert c[:, 1].min() >= 98 and c[:, 1].max() <= 152
    # spread over the box, U-shaped Beta(0.6): many near the edges
    assert c[:, 0].max() - c[:, 0].min() > 40
    full = crop_centres(None)
    assert full[:, 0].max() - full[:, 0].min() > 150


@pytest.mark.parametrize('hw', [(200, 200), (120, 300), (300, 90)])
def test_without_a_box_crops_exactly_as_random_resized_crop(hw):
    """Before the first box update (no ``crop_box``) the crop is
    mmpretrain's ``RandomResizedCrop`` for the same random state: same
    pixels, same draws consumed."""
    kw = dict(scale=24, crop_ratio_range=(0.08, 1.), interpolation='nearest')
    ccrop = TRANSFORMS.build(dict(type='ContrastiveCrop', **kw))
    rrc = TRANSFORMS.build(dict(type='RandomResizedCrop', **kw))
    y, x = np.mgrid[:hw[0], :hw[1]]
    img = np.stack([y % 256, x % 256, (y // 256) * 16 + x // 256],
                   -1).astype(np.uint8)
    for seed in range(20):
        np.random.seed(seed)
        got = ccrop.transform(dict(img=img.copy()))['img']
        after_got = np.random.rand()
        np.random.seed(seed)
        want = rrc.transform(dict(img=img.copy()))['img']
        after_want = np.random.rand()
        np.testing.assert_array_equal(got, want)
        assert after_got == after_want


def test_whole_image_box_is_not_random_resized_crop():
    """A whole-image box draws Beta(0.6) centres: more crops near the
    borders than the uniform offsets of RandomResizedCrop."""
    with_box = crop_centres((0., 0., 1., 1.), n=400, seed=1)
    plain = crop_centres(None, n=400, seed=1)

    def outer(c):  # centre offsets in the outer 20 % of their range
        return float(np.mean((c[:, 0] < 0.1 * 200) | (c[:, 0] > 0.9 * 200)))

    assert outer(with_box) > outer(plain) + 0.05


def test_bad_box_is_a_clear_error():
    t = TRANSFORMS.build(dict(type='ContrastiveCrop', scale=16))
    with pytest.raises(ValueError, match='crop_box must satisfy'):
        t.transform(dict(img=coordinate_image(), crop_box=(0.5, 0, 0.2, 1)))
    with pytest.raises(ValueError, match='alpha must be > 0'):
        TRANSFORMS.build(dict(type='ContrastiveCrop', scale=16, alpha=0))


def test_heatmap_boxes_enclose_the_hot_region():
    maps = torch.zeros(2, 8, 8)
    maps[0, 2:4, 4:8] = 5.  # rows 2-3, cols 4-7 of 8
    boxes = heatmap_boxes(maps, (8, 8), threshold=0.5)
    torch.testing.assert_close(boxes[0], torch.tensor([0.25, 0.5, 0.5, 1.]))
    torch.testing.assert_close(boxes[1], torch.tensor([0., 0., 1., 1.]))
    up = heatmap_boxes(maps[:1], (32, 32), threshold=0.5)[0]
    assert 0.2 <= up[0] <= 0.3 and 0.45 <= up[2] <= 0.55 and up[3] == 1.


def test_cnn_and_vit_heatmaps():
    resnet = MODELS.build(
        dict(type='ResNet', depth=18, stem_channels=8, base_channels=8))
    x = torch.randn(2, 3, 64, 64)
    assert cnn_heatmap(resnet, x).shape == (2, 2, 2)
    vit = MODELS.build(
        dict(
            type='VisionTransformer',
            arch=dict(
                embed_dims=32,
                num_layers=2,
                num_heads=4,
                feedforward_channels=64),
            img_size=32,
            patch_size=8))
    vit.eval()
    seen = {}
    attn = vit.layers[-1].attn
    hooks = [
        attn.register_forward_pre_hook(
            lambda m, a: seen.__setitem__('x', a[0])),
        attn.proj.register_forward_pre_hook(
            lambda m, a: seen.__setitem__('mixed', a[0]))
    ]
    with torch.no_grad():
        heat = vit_cls_attention_heatmap(vit, torch.randn(2, 3, 48, 32))
    for h in hooks:
        h.remove()
    assert heat.shape == (2, 6, 4)  # patch grid of a 48 x 32 image
    # naive reference: per head, softmax(q k^T / sqrt(d)); its [cls] row
    # mixes v into exactly what the block's fused attention produced
    x, d = seen['x'], attn.head_dims
    qkv = attn.qkv(x)
    want_heat = torch.zeros(2, 24)
    for b in range(2):
        for h in range(attn.num_heads):
            q = qkv[b, :, h * d:(h + 1) * d]
            k = qkv[b, :, 32 + h * d:32 + (h + 1) * d]
            v = qkv[b, :, 64 + h * d:64 + (h + 1) * d]
            w = torch.softmax(q[0] @ k.t() / d**0.5, dim=0)
            torch.testing.assert_close(
                w @ v,
                seen['mixed'][b, 0, h * d:(h + 1) * d],
                rtol=1e-4,
                atol=1e-5)
            want_heat[b] += w[1:]
    torch.testing.assert_close(heat.reshape(2, -1), want_heat)
    # per head the [cls] row is a soft-max: patches get < 1 each, sum <= 4
    assert (heat > 0).all() and (heat.sum((1, 2)) < 4).all()
    assert (heat.sum((1, 2)) > 3).all()  # most mass on the 24 patches
    with pytest.raises(ValueError, match='arch="vit"'):
        cnn_heatmap(vit, torch.randn(1, 3, 32, 32))


def test_dataset_passes_boxes_to_the_pipeline(tiny_cub):
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    ds = ContrastiveCropDataset(
        dict(
            type='FineGrainedCUB',
            data_root=tiny_cub,
            split='train',
            pipeline=[
                dict(type='CheckedLoadImageFromFile'),
                dict(
                    type='MultiView',
                    num_views=[2],
                    transforms=[[dict(type='ContrastiveCrop', scale=32)]]),
            ]))
    assert len(ds) == 8 and ds.boxes.is_shared()
    out = ds[3]
    # before the first update no box: ContrastiveCrop = RandomResizedCrop
    assert not ds.has_boxes and 'crop_box' not in out
    assert len(out['img']) == 2 and out['img'][0].shape == (32, 32, 3)
    new = ds.boxes.clone()
    new[3] = torch.tensor([0.1, 0.2, 0.3, 0.4])
    ds.set_boxes(new)
    assert ds.has_boxes and ds._active.is_shared()
    assert ds[3]['crop_box'] == pytest.approx((0.1, 0.2, 0.3, 0.4))
    assert ds[2]['crop_box'] == (0., 0., 1., 1.)
    with pytest.raises(ValueError, match='one per sample'):
        ds.set_boxes(torch.zeros(3, 4))
    with pytest.raises(ValueError, match='normalised'):
        ds.set_boxes(torch.full((8, 4), 2.))
