"""MoCoLCR / BYOLLCR / GradCAMFittingHead on tiny inputs."""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from tiny_lcr_models import GFB, byol_cfg, moco_cfg, simsiam_cfg

import mmssl_addons  # noqa: F401
from mmssl_addons.models import CommonRationaleMixin, GradCAMFittingHead
from mmssl_addons.models.losses import lcr_kl_loss
from mmssl_addons.models.utils import gradcam_map


def views(n=4, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 3, size, size, generator=g) for _ in range(2)]


def test_gfb_head_maxout_and_variant():
    head = GradCAMFittingHead(in_channels=3, num_projections=2)
    with torch.no_grad():
        head.projections.weight.copy_(
            torch.tensor([[1., 0., 0.], [0., 2., 0.]]).view(2, 3, 1, 1))
    phi = torch.rand(2, 3, 4, 4)
    expected = torch.maximum(phi[:, 0], 2 * phi[:, 1])
    torch.testing.assert_close(head(phi), expected)
    att = head.attention(phi)
    assert att.shape == (2, 4, 4) and att.min() >= 0 and att.max() <= 1
    released = GradCAMFittingHead(3, 2, with_bn_relu=True)
    assert (released(phi) >= 0).all()
    with pytest.raises(ValueError, match='num_projections'):
        GradCAMFittingHead(3, 0)


def test_moco_lcr_loss_terms_and_queue():
    torch.manual_seed(0)
    model = MODELS.build(moco_cfg(gfb_head=GFB))
    queue = model.queue.clone()
    losses = model.loss(views(), None)
    assert set(losses) == {'loss', 'loss_gfb'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['loss_gfb'] > 0
    assert not torch.equal(queue, model.queue)


def test_without_gfb_is_mmpretrain_moco():
    torch.manual_seed(0)
    ours = MODELS.build(moco_cfg(gfb_head=None))
    cfg = moco_cfg()
    cfg['type'] = 'MoCo'
    theirs = MODELS.build(cfg)
    theirs.load_state_dict(ours.state_dict())
    torch.manual_seed(1)
    a = ours.loss(views(), None)
    torch.manual_seed(1)
    b = theirs.loss(views(), None)
    assert set(a) == {'loss'}
    torch.testing.assert_close(a['loss'], b['loss'])
    ours.eval()
    x = views(n=2)[0]
    torch.testing.assert_close(
        ours.extract_pooled_feat(x),
        ours.backbone(x)[-1].mean((2, 3)))


class _Toy(CommonRationaleMixin, nn.Module):
    """phi = w * x; a linear stand-in for the SSL loss."""

    def __init__(self, detach_input=False):
        super().__init__(
            gfb_head=dict(
                type='GradCAMFittingHead',
                in_channels=3,
                num_projections=2,
                detach_input=detach_input))
        self.w = nn.Parameter(torch.rand(3, 1, 1) + 0.5)


def linear_objective(phi, v):
    """A linear stand-in for the SSL loss: sum(GAP(phi) . v)."""
    return (phi.mean((2, 3)) * v).sum()


def test_kl_moves_backbone_only_through_branch_input():
    torch.manual_seed(0)
    x = torch.rand(2, 3, 4, 4)
    v = torch.randn(3)
    toy = _Toy()
    phi = toy.w * x
    loss = toy.gfb_head.loss([phi], linear_objective(phi, v))['loss_gfb']
    loss.backward()
    grad_w = toy.w.grad.clone()

    # the same loss with the GradCAM computed apart as a constant
    toy.zero_grad()
    phi = toy.w * x
    objective = (phi.mean((2, 3)) * v).sum()
    (g, ) = torch.autograd.grad(objective, [phi], retain_graph=True)
    target = gradcam_map(phi.detach(), g).clone()
    target = target / target.flatten(1).max(1).values[:, None, None]
    const = 0.01 * lcr_kl_loss(toy.gfb_head(phi), target)
    const.backward()
    torch.testing.assert_close(grad_w, toy.w.grad)
    assert grad_w.abs().sum() > 0

    detached = _Toy(detach_input=True)
    phi = detached.w * x
    detached.gfb_head.loss([phi], linear_objective(phi,
                                                   v))['loss_gfb'].backward()
    assert detached.w.grad is None or detached.w.grad.abs().sum() == 0
    assert detached.gfb_head.projections.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('objective,highlighted', [('loss', 1),
                                                   ('log_likelihood', 0)])
def test_gradcam_sign_convention(objective, highlighted):
    # score = the positive logit; location 0 raises it and location 1
    # lowers it; the SSL loss is -score. 'loss' (released code) highlights
    # what raises the loss, 'log_likelihood' (Alg. A1) what raises the
    # positive logit.
    toy = _Toy()
    toy.gfb_head.gradcam_objective = objective
    phi = torch.ones(1, 3, 1, 2, requires_grad=True)
    weights = torch.tensor([1.0, -1.0])
    score = (phi.sum(1) * weights).flatten(1).sum(1)
    (target, ) = toy.gfb_head.gradcam([phi], -score.sum(), score)
    assert target[0, 0, highlighted] > 0
    assert target[0, 0, 1 - highlighted] == 0
    assert not target.requires_grad


def test_gradcam_scale_max_and_option_errors():
    toy = _Toy()
    assert toy.gfb_head.gradcam_scale == 'max'  # the default
    phi = torch.rand(2, 3, 2, 2, requires_grad=True)
    weights = torch.rand(2, 3, 2, 2)
    score = (phi * weights).flatten(1).sum(1) * 1e-4
    (target, ) = toy.gfb_head.gradcam([phi], score.sum(), score)
    torch.testing.assert_close(target.flatten(1).max(1).values, torch.ones(2))
    toy.gfb_head.gradcam_scale = 'none'
    (raw, ) = toy.gfb_head.gradcam([phi], score.sum(), score)
    assert raw.max() < 1e-3
    toy.gfb_head.gradcam_objective = 'log_likelihood'
    with pytest.raises(ValueError, match='positive-pair logits'):
        toy.gfb_head.gradcam([phi], score.sum())
    with pytest.raises(ValueError, match='gradcam_objective'):
        MODELS.build(moco_cfg(gfb_head=dict(GFB, gradcam_objective='logit')))
    with pytest.raises(ValueError, match='gradcam_scale'):
        MODELS.build(moco_cfg(gfb_head=dict(GFB, gradcam_scale='sum')))


def test_real_model_gradients():
    torch.manual_seed(0)
    model = MODELS.build(moco_cfg(gfb_head=GFB))
    losses = model.loss(views(), None)
    losses['loss_gfb'].backward()
    assert model.gfb_head.projections.weight.grad.abs().sum() > 0
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    # the CL loss does not train the branch
    model.zero_grad()
    losses = model.loss(views(seed=1), None)
    losses['loss'].backward()
    g = model.gfb_head.projections.weight.grad
    assert g is None or g.abs().sum() == 0


@pytest.mark.parametrize('test_pooling', ['attention', 'avg'])
def test_predict_features(test_pooling):
    torch.manual_seed(0)
    model = MODELS.build(
        moco_cfg(gfb_head=dict(GFB, test_pooling=test_pooling)))
    model.eval()
    x = views(n=3)[0]
    samples = model(x, None, mode='predict')
    feats = torch.stack([s.feature for s in samples])
    assert feats.shape == (3, 64)
    phi = model.backbone(x)[-1]
    if test_pooling == 'avg':
        torch.testing.assert_close(feats, phi.mean((2, 3)))
    else:
        assert not torch.allclose(feats, phi.mean((2, 3)))
    att = model.extract_attention(x)
    assert att.shape == (3, ) + phi.shape[2:]


def test_dual_pooling_and_errors():
    torch.manual_seed(0)
    model = MODELS.build(
        moco_cfg(gfb_head=dict(GFB, train_pooling='attention')))
    losses = model.loss(views(), None)
    assert torch.isfinite(losses['loss'])
    (pooled, ) = model.neck_input(torch.rand(2, 64, 4, 4))
    assert pooled.shape == (2, 64, 1, 1)
    with pytest.raises(ValueError, match='test_pooling'):
        MODELS.build(moco_cfg(gfb_head=dict(GFB, test_pooling='max')))


def test_byol_lcr():
    torch.manual_seed(0)
    cfg = byol_cfg(gfb_head=GFB)
    model = MODELS.build(cfg)
    losses = model.loss(views(), None)
    assert set(losses) == {'loss', 'loss_gfb'}
    sum(losses.values()).backward()
    assert model.gfb_head.projections.weight.grad.abs().sum() > 0
    plain = MODELS.build(dict(copy.deepcopy(cfg), gfb_head=None))
    assert set(plain.loss(views(), None)) == {'loss'}


def test_gfb_attention_pool_neck_matches_head_and_is_frozen():
    from mmssl_addons.models import GFBAttentionPoolNeck
    from mmssl_addons.models.utils import attention_pool
    torch.manual_seed(0)
    head = GradCAMFittingHead(in_channels=6, num_projections=3)
    neck = GFBAttentionPoolNeck(in_channels=6, num_projections=3)
    neck.load_state_dict(head.state_dict())
    neck.train()
    assert not neck.training
    assert not any(p.requires_grad for p in neck.parameters())
    phi = torch.rand(2, 6, 4, 4)
    (pooled, ) = neck((torch.rand(2, 3, 8, 8), phi))
    expected = attention_pool(phi, head.attention(phi))
    torch.testing.assert_close(pooled, F.normalize(expected, dim=1))


def naive_gradcam(phi, grad):
    """Eq. 3 per location with loops, then divided by the image's max."""
    out = torch.zeros(phi.shape[0], *phi.shape[2:])
    for n in range(phi.shape[0]):
        for i in range(phi.shape[2]):
            for j in range(phi.shape[3]):
                out[n, i, j] = max(
                    float((grad[n, :, i, j] * phi[n, :, i, j]).sum()), 0.)
        out[n] /= out[n].max().clamp(min=1e-30)
    return out


def test_simsiam_lcr_is_simsiam_plus_the_kl_of_eq3_gradcam():
    torch.manual_seed(0)
    ours = MODELS.build(simsiam_cfg(gfb_head=GFB))
    ref = MODELS.build(simsiam_cfg('SimSiam'))
    state = {k: v for k, v in ours.state_dict().items() if 'gfb' not in k}
    ref.load_state_dict(state)
    x = views()
    losses = ours.loss(x, None)
    # the reference: mmpretrain's SimSiam step, its gradient w.r.t. each
    # view's layer4 map, the paper's G, then the KL of Eq. 5
    maps = [ref.backbone(v)[-1] for v in x]
    z1, z2 = (ref.neck((phi, ))[0] for phi in maps)
    ssl = 0.5 * (ref.head.loss(z1, z2) + ref.head.loss(z2, z1))
    grads = torch.autograd.grad(ssl, maps)
    kl = [
        lcr_kl_loss(
            ours.gfb_head(phi.detach()),
            naive_gradcam(phi.detach(), g),
            tau=0.4) * 0.01 for phi, g in zip(maps, grads)
    ]
    torch.testing.assert_close(losses['loss'], ssl)
    torch.testing.assert_close(
        losses['loss_gfb'], (kl[0] + kl[1]) / 2, rtol=1e-4, atol=1e-7)
    sum(losses.values()).backward()
    assert ours.gfb_head.projections.weight.grad.abs().sum() > 0
    plain = MODELS.build(simsiam_cfg())
    plain.load_state_dict(state)
    torch.testing.assert_close(plain.loss(x, None)['loss'], ssl)
    ours.eval()
    assert ours.view_gradcam(x[0]).shape == (4, ) + maps[0].shape[2:]
