"""LCR pure functions against naive references written from the paper."""
import math

import pytest
import torch

from mmssl_addons.models.losses import LCRKLLoss, lcr_kl_loss
from mmssl_addons.models.utils import (attention_pool, gradcam_map,
                                       normalize_attention)


def naive_gradcam(phi, grad):
    """Eq. 3: G_ij = ReLU(sum_c grad[c,i,j] * phi[c,i,j]), loops."""
    n, c, h, w = phi.shape
    out = torch.zeros(n, h, w, dtype=torch.float64)
    for b in range(n):
        for i in range(h):
            for j in range(w):
                s = sum(
                    float(grad[b, k, i, j]) * float(phi[b, k, i, j])
                    for k in range(c))
                out[b, i, j] = max(s, 0.0)
    return out


def naive_kl(pred, gradcam, tau):
    """Eq. 5-6 with the pseudocode's direction: KL(softmax G || softmax A)."""
    n = pred.shape[0]
    out = []
    for b in range(n):
        a = [float(v) / tau for v in pred[b].flatten()]
        g = [float(v) / tau for v in gradcam[b].flatten()]
        za = sum(math.exp(v) for v in a)
        zg = sum(math.exp(v) for v in g)
        kl = 0.0
        for va, vg in zip(a, g):
            p = math.exp(vg) / zg
            q = math.exp(va) / za
            kl += p * math.log(p / q)
        out.append(kl)
    return torch.tensor(out, dtype=torch.float64)


def naive_attention_pool(phi, att, eps=1e-7):
    """Eq. 8 with per-image min-max normalisation, loops."""
    n, c, h, w = phi.shape
    out = torch.zeros(n, c, dtype=torch.float64)
    for b in range(n):
        lo, hi = float(att[b].min()), float(att[b].max())
        for i in range(h):
            for j in range(w):
                a = (float(att[b, i, j]) - lo) / (hi - lo + eps)
                out[b] += a * phi[b, :, i, j].double()
    return out


def test_gradcam_matches_reference():
    torch.manual_seed(0)
    phi, grad = torch.randn(3, 5, 4, 3), torch.randn(3, 5, 4, 3)
    out = gradcam_map(phi, grad)
    assert out.shape == (3, 4, 3)
    torch.testing.assert_close(
        out.double(), naive_gradcam(phi, grad), rtol=1e-5, atol=1e-6)
    assert (out >= 0).all() and (out == 0).any()


def test_gradcam_no_spatial_averaging():
    # classic GradCAM would average grad over positions first; ours must not
    phi = torch.ones(1, 1, 1, 2)
    grad = torch.tensor([[[[1.0, -3.0]]]])
    torch.testing.assert_close(
        gradcam_map(phi, grad), torch.tensor([[[1.0, 0.0]]]))


def test_gradcam_errors():
    with pytest.raises(ValueError, match='does not match'):
        gradcam_map(torch.zeros(1, 2, 3, 3), torch.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        gradcam_map(torch.zeros(2, 3, 3), torch.zeros(2, 3, 3))


@pytest.mark.parametrize('tau', [0.4, 1.0, 0.05])
def test_kl_matches_reference(tau):
    torch.manual_seed(1)
    pred, cam = torch.randn(4, 3, 5), torch.rand(4, 3, 5) * 3
    ref = naive_kl(pred, cam, tau)
    none = lcr_kl_loss(pred, cam, tau=tau, reduction='none')
    assert none.shape == (4, )
    torch.testing.assert_close(none.double(), ref, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(
        lcr_kl_loss(pred, cam, tau=tau).double(),
        ref.sum(),
        rtol=1e-4,
        atol=1e-5)
    torch.testing.assert_close(
        lcr_kl_loss(pred, cam, tau=tau, reduction='mean').double(),
        ref.mean(),
        rtol=1e-4,
        atol=1e-5)


def test_kl_default_is_sum_and_matches_torch_kl_div_sum():
    torch.manual_seed(2)
    pred, cam = torch.randn(2, 7, 7), torch.rand(2, 7, 7)
    expected = torch.nn.functional.kl_div(
        torch.log_softmax(pred.flatten(1) / 0.4, 1),
        torch.softmax(cam.flatten(1) / 0.4, 1),
        reduction='sum')
    torch.testing.assert_close(lcr_kl_loss(pred, cam), expected)


def test_kl_properties():
    torch.manual_seed(3)
    cam = torch.rand(3, 4, 4)
    # zero exactly when the maps agree up to a per-image constant shift
    shifted = cam + torch.tensor([1.0, -2.0, 5.0])[:, None, None]
    assert lcr_kl_loss(shifted, cam, reduction='none').abs().max() < 1e-5
    assert lcr_kl_loss(torch.randn(3, 4, 4), cam) > 0
    # large finite values stay finite (log-softmax, xlogy for p = 0)
    big = torch.zeros(1, 2, 2)
    big[0, 0, 0] = 1e4
    assert torch.isfinite(lcr_kl_loss(big, big * 0.5))


def test_kl_gradient_never_reaches_target():
    pred = torch.randn(2, 3, 3, requires_grad=True)
    cam = torch.rand(2, 3, 3, requires_grad=True)
    lcr_kl_loss(pred, cam).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert cam.grad is None


def test_kl_errors_and_module():
    with pytest.raises(ValueError, match='reduction'):
        lcr_kl_loss(torch.zeros(1, 2, 2), torch.zeros(1, 2, 2), reduction='x')
    with pytest.raises(ValueError, match='same shape'):
        lcr_kl_loss(torch.zeros(1, 2, 2), torch.zeros(1, 2, 3))
    with pytest.raises(ValueError, match='tau'):
        lcr_kl_loss(torch.zeros(1, 2, 2), torch.zeros(1, 2, 2), tau=0)
    pred, cam = torch.randn(2, 3, 3), torch.rand(2, 3, 3)
    module = LCRKLLoss(tau=0.4, loss_weight=0.01)
    torch.testing.assert_close(
        module(pred, cam), 0.01 * lcr_kl_loss(pred, cam, tau=0.4))


def test_attention_pool_matches_reference():
    torch.manual_seed(4)
    phi, att = torch.randn(2, 6, 3, 4), torch.randn(2, 3, 4)
    out = attention_pool(phi, att)
    assert out.shape == (2, 6)
    torch.testing.assert_close(
        out.double(), naive_attention_pool(phi, att), rtol=1e-5, atol=1e-5)


def test_attention_pool_properties():
    torch.manual_seed(5)
    phi, att = torch.randn(2, 4, 3, 3), torch.randn(2, 3, 3)
    # invariant to affine rescaling of the attention (min-max normalised)
    torch.testing.assert_close(
        attention_pool(phi, att),
        attention_pool(phi, 3 * att + 7),
        rtol=1e-4,
        atol=1e-4)
    # one-hot attention picks that location's feature
    one_hot = torch.zeros(2, 3, 3)
    one_hot[:, 1, 2] = 1
    torch.testing.assert_close(
        attention_pool(phi, one_hot), phi[:, :, 1, 2], rtol=1e-5, atol=1e-5)
    norm = normalize_attention(att)
    assert norm.min() >= 0 and norm.max() <= 1


def test_attention_pool_errors():
    with pytest.raises(ValueError, match='does not match'):
        attention_pool(torch.zeros(2, 4, 3, 3), torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        attention_pool(torch.zeros(4, 3, 3), torch.zeros(1, 3, 3))
