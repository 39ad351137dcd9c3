"""MoCoLCR / BYOLLCR / GradCAMFittingHead on tiny inputs."""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS

import mmssl_addons  # noqa: F401
from mmssl_addons.models import CommonRationaleMixin, GradCAMFittingHead
from mmssl_addons.models.losses import lcr_kl_loss
from mmssl_addons.models.utils import gradcam_map

BACKBONE = dict(
    type='ResNet',
    depth=18,
    stem_channels=8,
    base_channels=8,
    strides=(1, 2, 2, 1),
    norm_cfg=dict(type='BN'))
GFB = dict(type='GradCAMFittingHead', in_channels=64, num_projections=4)


def moco_cfg(**kwargs):
    cfg = dict(
        type='MoCoLCR',
        queue_len=32,
        feat_dim=16,
        momentum=0.01,
        backbone=BACKBONE,
        neck=dict(
            type='MoCoV2Neck',
            in_channels=64,
            hid_channels=32,
            out_channels=16,
            with_avg_pool=True),
        head=dict(
            type='ContrastiveHead',
            loss=dict(type='CrossEntropyLoss'),
            temperature=0.2))
    cfg.update(kwargs)
    return cfg


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
    assert ours.test_pooling == 'avg'


class _Toy(CommonRationaleMixin, nn.Module):
    """phi = w * x; a linear stand-in for the SSL loss."""

    def __init__(self, detach_gfb_input=False):
        super().__init__()
        self.w = nn.Parameter(torch.rand(3, 1, 1) + 0.5)
        self.init_common_rationale(
            dict(type='GradCAMFittingHead', in_channels=3, num_projections=2),
            detach_gfb_input=detach_gfb_input)


def linear_objective(v):
    """``objective_fn`` of a linear stand-in: loss = sum(GAP(phi) . v)."""

    def objective(maps):
        score = (maps[0].mean((2, 3)) * v).sum(1)
        return score.sum(), score

    return objective


def test_kl_moves_backbone_only_through_branch_input():
    torch.manual_seed(0)
    x = torch.rand(2, 3, 4, 4)
    v = torch.randn(3)
    toy = _Toy()
    phi = toy.w * x
    loss = toy.common_rationale_loss([phi], linear_objective(v))['loss_gfb']
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

    detached = _Toy(detach_gfb_input=True)
    phi = detached.w * x
    detached.common_rationale_loss([phi],
                                   linear_objective(v))['loss_gfb'].backward()
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
    toy.gradcam_objective = objective
    phi = torch.ones(1, 3, 1, 2, requires_grad=True)
    weights = torch.tensor([1.0, -1.0])

    def objective_fn(maps):
        score = (maps[0].sum(1) * weights).flatten(1).sum(1)
        return -score.sum(), score

    (target, ) = toy.gradcam_target([phi], objective_fn)
    assert target[0, 0, highlighted] > 0
    assert target[0, 0, 1 - highlighted] == 0
    assert not target.requires_grad


def test_gradcam_scale_max_and_option_errors():
    toy = _Toy()
    assert toy.gradcam_scale == 'max'  # the default
    phi = torch.rand(2, 3, 2, 2, requires_grad=True)
    weights = torch.rand(2, 3, 2, 2)

    def objective_fn(maps):
        score = (maps[0] * weights).flatten(1).sum(1) * 1e-4
        return score.sum(), score

    (target, ) = toy.gradcam_target([phi], objective_fn)
    torch.testing.assert_close(target.flatten(1).max(1).values, torch.ones(2))
    toy.gradcam_scale = 'none'
    (raw, ) = toy.gradcam_target([phi], objective_fn)
    assert raw.max() < 1e-3
    with pytest.raises(ValueError, match='gradcam_objective'):
        MODELS.build(moco_cfg(gfb_head=GFB, gradcam_objective='logit'))
    with pytest.raises(ValueError, match='gradcam_scale'):
        MODELS.build(moco_cfg(gfb_head=GFB, gradcam_scale='sum'))


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
    model = MODELS.build(moco_cfg(gfb_head=GFB, test_pooling=test_pooling))
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
    model = MODELS.build(moco_cfg(gfb_head=GFB, train_pooling='attention'))
    losses = model.loss(views(), None)
    assert torch.isfinite(losses['loss'])
    with pytest.raises(ValueError, match='test_pooling'):
        MODELS.build(moco_cfg(gfb_head=GFB, test_pooling='max'))
    with pytest.raises(ValueError, match='gfb_head'):
        MODELS.build(moco_cfg(gfb_head=None, train_pooling='attention'))


def test_byol_lcr():
    torch.manual_seed(0)
    cfg = dict(
        type='BYOLLCR',
        backbone=BACKBONE,
        neck=dict(
            type='NonLinearNeck',
            in_channels=64,
            hid_channels=32,
            out_channels=16,
            with_avg_pool=True),
        head=dict(
            type='LatentPredictHead',
            predictor=dict(
                type='NonLinearNeck',
                in_channels=16,
                hid_channels=32,
                out_channels=16,
                with_avg_pool=False),
            loss=dict(type='CosineSimilarityLoss')),
        gfb_head=GFB)
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
