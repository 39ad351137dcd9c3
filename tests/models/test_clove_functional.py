"""CLoVE point matching and loss against naive references (paper Eq. 1-2)."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmssl_addons.models.losses import CLoVELoss, clove_loss
from mmssl_addons.models.utils import match_points


def naive_match(boxes1, flips1, boxes2, flips2, grid1, grid2, t_pos):
    """Loops straight from Sec. 3.2: bin centres -> image -> distance."""

    def points(box, flip, grid):
        h, w = grid
        x1, y1, x2, y2 = [float(v) for v in box]
        pts = []
        for r in range(h):
            for c in range(w):
                u = (c + 0.5) / w
                if flip:
                    u = 1 - u
                pts.append(
                    (x1 + u * (x2 - x1), y1 + (r + 0.5) / h * (y2 - y1)))
        diag = math.hypot((x2 - x1) / w, (y2 - y1) / h)
        return pts, diag

    n = boxes1.shape[0]
    out = torch.zeros(
        n, grid1[0] * grid1[1], grid2[0] * grid2[1], dtype=torch.bool)
    for b in range(n):
        p1, d1 = points(boxes1[b], bool(flips1[b]), grid1)
        p2, d2 = points(boxes2[b], bool(flips2[b]), grid2)
        for i, a in enumerate(p1):
            for j, c in enumerate(p2):
                dist = math.hypot(a[0] - c[0], a[1] - c[1])
                out[b, i, j] = dist / max(d1, d2) < t_pos
    return out


def box(*xyxy):
    return torch.tensor([xyxy], dtype=torch.float)


NO, YES = torch.tensor([False]), torch.tensor([True])


def test_identical_boxes_match_the_same_bin_only():
    b = box(0.1, 0.2, 0.6, 0.7)
    m = match_points(b, NO, b, NO, (3, 3), (3, 3), 0.7)
    # neighbours are 1/sqrt(2) = 0.707 bin diagonals apart: above 0.7
    assert torch.equal(m[0], torch.eye(9, dtype=torch.bool))
    assert match_points(b, NO, b, NO, (3, 3), (3, 3), 0.71)[0].sum() > 9


def test_flip_mirrors_columns():
    b = box(0.1, 0.2, 0.7, 0.6)  # square 0.2 bins on a 2x3 grid
    m = match_points(b, YES, b, NO, (2, 3), (2, 3), 0.7)[0]
    expected = torch.zeros(6, 6, dtype=torch.bool)
    for r in range(2):
        for c in range(3):
            expected[r * 3 + c, r * 3 + (2 - c)] = True
    assert torch.equal(m, expected)
    both = match_points(b, YES, b, YES, (2, 3), (2, 3), 0.7)[0]
    assert torch.equal(both, torch.eye(6, dtype=torch.bool))


def test_no_overlap_no_match():
    m = match_points(
        box(0., 0., .3, .3), NO, box(.7, .7, 1., 1.), NO, (4, 4), (4, 4), .7)
    assert not m.any()


def test_scale_difference_hand_computed():
    # view 1: the whole image on a 2x2 grid, centres at .25/.75, bin
    # diagonal .707; view 2: the top-left quarter, centres .125/.375, bin
    # diagonal .354 -> threshold .7 * .707 = .495
    m = match_points(
        box(0., 0., 1., 1.), NO, box(0., 0., .5, .5), NO, (2, 2), (2, 2),
        0.7)[0]
    assert m[0].all()  # (.25,.25) is .177 from each view-2 centre
    # (.75,.75): .53 from (.375,.375) -> no; (.75,.25): .40 from (.375,.125)
    assert m[3].tolist() == [False, False, False, False]
    assert m[1].tolist() == [False, True, False, True]
    assert m[2].tolist() == [False, False, True, True]


def test_random_boxes_against_naive_loop():
    g = torch.Generator().manual_seed(0)
    n = 6
    xy = torch.rand(n, 2, 2, generator=g)
    b1 = torch.cat([xy.min(1).values, xy.max(1).values + 0.05], 1)
    xy = torch.rand(n, 2, 2, generator=g)
    b2 = torch.cat([xy.min(1).values, xy.max(1).values + 0.05], 1)
    f1 = torch.rand(n, generator=g) > 0.5
    f2 = torch.rand(n, generator=g) > 0.5
    for grids in [((7, 7), (3, 3)), ((4, 5), (6, 2))]:
        for t_pos in (0.7, 2.0):
            got = match_points(b1, f1, b2, f2, *grids, t_pos)
            assert torch.equal(got, naive_match(b1, f1, b2, f2, *grids, t_pos))
    assert match_points(b1, f1, b2, f2, (7, 7), (3, 3), 2.0).any()


def test_match_errors():
    b = box(0., 0., 1., 1.)
    with pytest.raises(ValueError, match='x2 > x1'):
        match_points(box(.5, 0., .2, 1.), NO, b, NO, (2, 2), (2, 2))
    with pytest.raises(ValueError, match=r'boxes1 must be \(N, 4\)'):
        match_points(b[:, :3], NO, b, NO, (2, 2), (2, 2))
    with pytest.raises(ValueError, match='flips2'):
        match_points(b, NO, b, torch.tensor([True, False]), (2, 2), (2, 2))
    with pytest.raises(ValueError, match='same images'):
        match_points(b, NO, b.repeat(2, 1), NO.repeat(2), (2, 2), (2, 2))
    with pytest.raises(ValueError, match='t_pos'):
        match_points(b, NO, b, NO, (2, 2), (2, 2), 0.)


def naive_loss(pred,
               target,
               match,
               margin,
               lam,
               topk,
               queue=None,
               negative_mode='vector',
               loss_type='rank'):
    """Eq. (2) pair by pair; pairs averaged per image, images averaged."""
    cos = F.cosine_similarity
    per_image = []
    n, _, l1 = pred.shape
    for b in range(n):
        terms = []
        for i in range(l1):
            c = pred[b, :, i]
            if queue is None:
                cands = [
                    target[b, :, j] for j in range(target.shape[2])
                    if not match[b, i, j]
                ]
            else:
                cands = list(queue)
            sims = [float(cos(c, v, dim=0)) for v in cands]
            order = sorted(range(len(cands)), key=lambda a: -sims[a])
            chosen = order[:topk][1:]
            if not chosen:
                neg_sim = 0.
            elif negative_mode == 'vector':
                neg = torch.stack([cands[a] / cands[a].norm()
                                   for a in chosen]).mean(0)
                neg_sim = cos(c, neg, dim=0)
            else:
                neg_sim = sum(sims[a] for a in chosen) / len(chosen)
            for j in range(target.shape[2]):
                if match[b, i, j]:
                    pos = cos(c, target[b, :, j], dim=0)
                    if loss_type == 'l2':
                        terms.append(2 - 2 * pos)
                    else:
                        terms.append(
                            torch.clamp(-lam * pos + neg_sim + margin, min=0))
        if terms:
            per_image.append(torch.stack(terms).mean())
    return torch.stack(per_image).mean()


def random_case(n=3, d=8, l1=6, l2=12, seed=0, p=0.25):
    g = torch.Generator().manual_seed(seed)
    pred = torch.randn(n, d, l1, generator=g, dtype=torch.double)
    target = torch.randn(n, d, l2, generator=g, dtype=torch.double)
    match = torch.rand(n, l1, l2, generator=g) < p
    return pred, target, match


@pytest.mark.parametrize('negative_mode', ['vector', 'similarity'])
@pytest.mark.parametrize('margin,lam', [(100., 2.), (0.2, 1.)])
def test_loss_matches_naive_eq2(negative_mode, margin, lam):
    pred, target, match = random_case()
    got = clove_loss(
        pred, target, match, margin, lam, 4, negative_mode=negative_mode)
    ref = naive_loss(
        pred, target, match, margin, lam, 4, negative_mode=negative_mode)
    torch.testing.assert_close(got, ref.to(got.dtype))


def test_loss_queue_and_l2_match_naive():
    pred, target, match = random_case(seed=1)
    queue = torch.randn(20, 8, dtype=torch.double)
    torch.testing.assert_close(
        clove_loss(pred, target, match, 100., 2., 5, queue=queue),
        naive_loss(pred, target, match, 100., 2., 5, queue=queue))
    torch.testing.assert_close(
        clove_loss(pred, target, match, loss_type='l2'),
        naive_loss(pred, target, match, 0, 0, 0, loss_type='l2'))


def test_few_negatives_and_unmatched_images():
    pred, target, match = random_case(n=2, l1=3, l2=5, seed=2)
    match[0] = False  # image 0 has no pair: left out of the mean
    match[1, 0] = torch.tensor([True, True, True, True, False])  # 1 left
    match[1, 1] = torch.tensor([True, True, True, False, False])  # 2 left
    got = clove_loss(pred, target, match, 100., 2., 4)
    torch.testing.assert_close(got, naive_loss(pred, target, match, 100., 2.,
                                               4))
    empty = torch.zeros_like(match)
    zero = clove_loss(pred.requires_grad_(), target, empty, topk=4)
    assert zero.item() == 0 and zero.requires_grad


def test_gradient_only_to_student_and_direction():
    pred, target, match = random_case()
    pred.requires_grad_()
    target.requires_grad_()
    loss = clove_loss(pred, target, match)
    loss.backward()
    assert target.grad is None
    assert pred.grad.abs().sum() > 0
    # a gradient step raises the positive similarity
    with torch.no_grad():
        moved = pred - 0.1 * pred.grad
    assert clove_loss(moved, target, match) < loss


def test_loss_is_invariant_to_feature_scale():
    pred, target, match = random_case()
    scale = torch.rand(3, 1, 6, dtype=torch.double) + 0.5
    torch.testing.assert_close(
        clove_loss(pred * scale, target * 3, match),
        clove_loss(pred, target, match))


def test_loss_errors():
    pred, target, match = random_case(l2=12)
    with pytest.raises(ValueError, match='agree in N and D'):
        clove_loss(pred, target[:, :4], match)
    with pytest.raises(ValueError, match=r'match must be bool \(N, L1, L2\)'):
        clove_loss(pred, target, match[:, :, :5])
    with pytest.raises(ValueError, match=r'\(N, D, L\)'):
        clove_loss(pred[0], target, match)
    with pytest.raises(ValueError, match='topk=13 is larger than the 12'):
        clove_loss(pred, target, match, topk=13)
    with pytest.raises(ValueError, match='larger than the queue'):
        clove_loss(
            pred,
            target,
            match,
            topk=5,
            queue=torch.randn(4, 8, dtype=torch.double))
    with pytest.raises(ValueError, match='topk must be >= 2'):
        clove_loss(pred, target, match, topk=1)
    with pytest.raises(ValueError, match='loss_type'):
        CLoVELoss(loss_type='l1')


def test_module_wraps_function():
    pred, target, match = random_case()
    module = CLoVELoss(topk=4, loss_weight=0.5, negative_mode='similarity')
    torch.testing.assert_close(
        module(pred, target, match), 0.5 *
        clove_loss(pred, target, match, topk=4, negative_mode='similarity'))


def released_form_loss(pred, target, match, lam, margin=100., topk=10):
    """The released loss (sthalles/CLoVE ``TripletLoss.regression_loss``)
    restated pair by pair: logits ``-2 cos``, per image the mean logit of
    the matched pairs and, per query location, the mean of the 2nd..k-th
    smallest unmatched logits averaged over all query locations; then
    ``MarginRankingLoss(negatives, lam * positives, 1)`` averaged over
    images."""
    total = 0.
    n, _, l1 = pred.shape
    for b in range(n):
        p = pred[b] / pred[b].norm(dim=0, keepdim=True)
        t = target[b] / target[b].norm(dim=0, keepdim=True)
        logit = [[-2. * (p[:, i] * t[:, j]).sum() for j in range(l1)]
                 for i in range(l1)]
        pos = [
            logit[i][j] for i in range(l1) for j in range(l1) if match[b, i, j]
        ]
        positive = sum(pos) / len(pos)
        negs = []
        for i in range(l1):
            free = sorted(
                (logit[i][j] for j in range(l1) if not match[b, i, j]),
                key=lambda v: float(v.detach()))[:topk]
            negs.append(sum(free[1:]) / (len(free) - 1))
        negative = sum(negs) / len(negs)
        total = total + torch.clamp(
            -(negative - lam * positive) + margin, min=0.)
    return total / n


def test_paper_config_gradient_matches_released_logits():
    """``loss_weight`` of the paper configs makes the gradient of Eq. 2
    (cosine at the paper's scale) equal to the released ``2 cos`` logits.

    Every query location has the same number of matches, so the released
    per-location average of the negatives equals our per-pair one and the
    two losses differ only by their scale."""
    import os.path as osp

    from mmengine.config import Config
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(repo, 'configs/_base_/models/clove_r50.py'))
    loss_cfg = dict(cfg.model.head.loss)
    loss_cfg.pop('type')
    torch.manual_seed(0)
    n, d, side = 2, 8, 4
    l1 = side * side
    pred = torch.randn(n, d, l1, requires_grad=True)
    target = torch.randn(n, d, l1)
    match = torch.zeros(n, l1, l1, dtype=torch.bool)
    for b in range(n):
        for i in range(l1):
            match[b, i, torch.randperm(l1)[:2]] = True
    ours = CLoVELoss(**dict(loss_cfg, negative_mode='similarity'))
    (g_ours, ) = torch.autograd.grad(ours(pred, target, match), pred)
    ref = released_form_loss(
        pred,
        target,
        match,
        lam=loss_cfg['lam'],
        margin=loss_cfg['margin'],
        topk=loss_cfg['topk'])
    (g_ref, ) = torch.autograd.grad(ref, pred)
    ratio = (g_ref.flatten() @ g_ours.flatten()) / g_ours.norm()**2
    assert abs(float(ratio) - 1.) < 1e-4, float(ratio)
    torch.testing.assert_close(g_ours, g_ref, rtol=1e-4, atol=1e-6)
    # the value: 2 * (mu + ...) for ours, mu + 2 * (...) for the released
    value = ours(pred, target, match)
    torch.testing.assert_close(
        value - loss_cfg['margin'], ref.detach(), rtol=1e-4, atol=1e-4)
