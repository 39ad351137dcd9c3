"""CLoVE predictor (NMHSA), projector and head."""
import math

import pytest
import torch
from mmpretrain.registry import MODELS

import mmssl_addons  # noqa: F401
from mmssl_addons.models import (CLoVEHead, ConvMLPNeck,
                                 NormalizedMultiHeadSelfAttention)
from mmssl_addons.models.losses import clove_loss


def naive_attention(layer, x):
    """Per-head loops over Sec. 3.4: softmax(cos(q, k) / tau) v, concat."""
    n, c, h, w = x.shape
    tokens = x.flatten(2).transpose(1, 2)
    inner = layer.num_heads * layer.head_dims
    wq, wk, wv = layer.qkv.weight.split(inner)
    bq, bk, bv = layer.qkv.bias.split(inner)
    out = torch.zeros(n, h * w, inner, dtype=x.dtype)
    for b in range(n):
        for head in range(layer.num_heads):
            s = slice(head * layer.head_dims, (head + 1) * layer.head_dims)
            q = tokens[b] @ wq[s].T + bq[s]
            k = tokens[b] @ wk[s].T + bk[s]
            v = tokens[b] @ wv[s].T + bv[s]
            for i in range(h * w):
                if layer.normalized:
                    logits = torch.stack([
                        torch.dot(q[i] / q[i].norm(), k[j] / k[j].norm()) /
                        layer.temperature for j in range(h * w)
                    ])
                else:
                    logits = k @ q[i] / math.sqrt(layer.head_dims)
                out[b, i, s] = logits.softmax(0) @ v
    out = out @ layer.proj.weight.T + layer.proj.bias
    return out.transpose(1, 2).reshape(n, c, h, w)


@pytest.mark.parametrize('normalized', [True, False])
def test_attention_matches_naive_and_keeps_shape(normalized):
    torch.manual_seed(0)
    layer = NormalizedMultiHeadSelfAttention(
        embed_dims=16, num_heads=4, head_dims=8, normalized=normalized)
    layer = layer.double()
    x = torch.randn(2, 16, 3, 2, dtype=torch.double)
    (out, ) = layer(x)
    assert out.shape == x.shape
    torch.testing.assert_close(out, naive_attention(layer, x))
    att = layer.attention(x)
    assert att.shape == (2, 4, 6, 6)
    torch.testing.assert_close(att.sum(-1), torch.ones(2, 4, 6).double())


def test_paper_sizes():
    layer = NormalizedMultiHeadSelfAttention()
    assert (layer.num_heads, layer.head_dims, layer.embed_dims) == (8, 32, 256)
    assert layer.qkv.weight.shape == (3 * 256, 256)
    assert layer.proj.weight.shape == (256, 256)
    (out, ) = layer((torch.randn(1, 256, 7, 7), ))
    assert out.shape == (1, 256, 7, 7)


def test_permutation_equivariance_over_locations():
    torch.manual_seed(0)
    layer = NormalizedMultiHeadSelfAttention(16, 2, 8)
    x = torch.randn(2, 16, 4, 4)
    perm = torch.randperm(16)
    (out, ) = layer(x)
    xp = x.flatten(2)[:, :, perm].view_as(x)
    (outp, ) = layer(xp)
    torch.testing.assert_close(outp.flatten(2), out.flatten(2)[:, :, perm])


def test_normalised_weights_ignore_query_key_scale():
    torch.manual_seed(0)
    x = torch.randn(2, 16, 3, 3)
    for normalized in (True, False):
        layer = NormalizedMultiHeadSelfAttention(
            16, 2, 8, normalized=normalized)
        before = layer.attention(x)
        with torch.no_grad():  # rescale q and k of each head (rows 0..31)
            scale = torch.tensor([3.] * 8 + [0.2] * 8 + [5.] * 16)
            layer.qkv.weight[:32] *= scale[:, None]
            layer.qkv.bias[:32] *= scale
        after = layer.attention(x)
        if normalized:
            torch.testing.assert_close(after, before)
        else:
            assert not torch.allclose(after, before, atol=1e-3)


def test_attention_errors():
    with pytest.raises(ValueError, match=r'\(N, 16, H, W\)'):
        NormalizedMultiHeadSelfAttention(16, 2, 8)(torch.randn(1, 8, 2, 2))
    with pytest.raises(ValueError, match='temperature'):
        NormalizedMultiHeadSelfAttention(16, 2, 8, temperature=0.)


def test_conv_mlp_neck_is_a_per_location_mlp():
    torch.manual_seed(0)
    neck = ConvMLPNeck(8, 16, 4, with_last_bn=False).eval()
    x = torch.randn(2, 8, 3, 3)
    (out, ) = neck((torch.randn(1), x))
    assert out.shape == (2, 4, 3, 3)
    conv1, bn, _, conv2 = neck.mlp
    tokens = x.permute(0, 2, 3, 1)
    hid = tokens @ conv1.weight.view(16, 8).T
    hid = ((hid - bn.running_mean) /
           torch.sqrt(bn.running_var + bn.eps)) * bn.weight + bn.bias
    ref = hid.relu() @ conv2.weight.view(4, 16).T + conv2.bias
    torch.testing.assert_close(out, ref.permute(0, 3, 1, 2))
    last_bn = ConvMLPNeck(8, 16, 4, with_last_bn=True)
    assert not last_bn.mlp.bn2.affine and last_bn.mlp.conv2.bias is None
    assert [n for n, _ in neck.named_parameters()] == [
        "mlp.conv1.weight", "mlp.bn1.weight", "mlp.bn1.bias",
        "mlp.conv2.weight", "mlp.conv2.bias"
    ]
    paper = ConvMLPNeck(with_last_bn=False)
    assert paper.mlp[0].weight.shape == (4096, 2048, 1, 1)
    assert paper.mlp[3].weight.shape == (256, 4096, 1, 1)
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        neck(torch.randn(2, 8))


def test_conv_mlp_neck_default_ends_with_released_non_affine_bn():
    """Released ``MLP2d``: conv (no bias) - BN - ReLU - conv (no bias) -
    BN(affine=False), so in training every output channel is standardised
    over batch and locations."""
    torch.manual_seed(0)
    neck = ConvMLPNeck(8, 16, 4).train()
    assert [n for n, _ in neck.named_parameters()] == [
        'mlp.conv1.weight', 'mlp.bn1.weight', 'mlp.bn1.bias',
        'mlp.conv2.weight'
    ]
    assert not neck.mlp.bn2.affine
    x = torch.randn(3, 8, 4, 5) * 7 + 3
    (out, ) = neck(x)
    conv1, bn1, _, conv2, _ = neck.mlp
    hid = torch.einsum('oc,nchw->nohw', conv1.weight.view(16, 8), x)
    mean = hid.mean((0, 2, 3), keepdim=True)
    var = hid.var((0, 2, 3), unbiased=False, keepdim=True)
    hid = (hid - mean) / torch.sqrt(var + 1e-5)
    hid = hid * bn1.weight.view(1, -1, 1, 1) + bn1.bias.view(1, -1, 1, 1)
    y = torch.einsum('oc,nchw->nohw', conv2.weight.view(4, 16), hid.relu())
    ref = (y - y.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
        y.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5)
    torch.testing.assert_close(out, ref, rtol=1e-4, atol=1e-4)


def test_head_predicts_then_ranks():
    torch.manual_seed(0)
    head = MODELS.build(
        dict(
            type='CLoVEHead',
            predictor=dict(
                type='NormalizedMultiHeadSelfAttention',
                embed_dims=8,
                num_heads=2,
                head_dims=4),
            loss=dict(type='CLoVELoss', topk=3)))
    assert isinstance(head, CLoVEHead)
    feat, target = torch.randn(2, 8, 2, 2), torch.randn(2, 8, 3, 3)
    match = torch.rand(2, 4, 9) < 0.3
    ctx = head(feat)
    torch.testing.assert_close(
        head.loss(ctx, target, match),
        clove_loss(ctx.flatten(2), target.flatten(2), match, topk=3))
