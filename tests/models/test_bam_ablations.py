"""BAM Table 1 ablations (``BAMLoss`` switches) against naive loops written
from the paper's equations (Sec. 3.1-3.3, Eq. 1-5)."""
import math

import pytest
import torch

from mmssl_addons.models.losses import BAMLoss


def unit_rows(z):
    rows = z.tolist()
    return [[x / math.sqrt(sum(y * y for y in r)) for x in r] for r in rows]


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def soft_rows(S, keep, temp):
    """Row soft-max of ``S / temp`` over the kept entries (others 0)."""
    out = []
    for a, row in enumerate(S):
        e = [
            math.exp(s / temp) if keep(a, b) else 0. for b, s in enumerate(row)
        ]
        out.append([x / sum(e) for x in e])
    return out


def sinkhorn(S, keep, temp, n_iters):
    """Eq. 4: alternate row / column normalisation of exp(S / temp) (the
    left-out entries at zero mass), then the rows renormalised."""
    K = [[math.exp(s / temp) if keep(a, b) else 0. for b, s in enumerate(row)]
         for a, row in enumerate(S)]
    rows, cols = len(K), len(K[0])
    for _ in range(n_iters):
        for a in range(rows):
            r = sum(K[a])
            K[a] = [x / r for x in K[a]]
        for b in range(cols):
            c = sum(K[a][b] for a in range(rows))
            for a in range(rows):
                K[a][b] /= c
    return [[x / sum(row) for x in row] for row in K]


def cross_entropy(target, source, keep_cols):
    return -sum(t * math.log(s)
                for t, s, k in zip(target, source, keep_cols) if k)


def naive(zs, zt, V, G, tau, tau_t, n_iters, masking, global_norm, balance):
    """Paper's loss with one ingredient dropped as Table 1 describes.

    ``zs`` (source side) and ``zt`` (target side; ``zs`` itself without a
    teacher) are ``(V * N, D)`` view-major."""
    N = zs.shape[0] // V
    us, ut = unit_rows(zs), unit_rows(zt)
    # positives: any two views of the same image (Sec. 3.2)
    if masking:
        keep = lambda a, b: a % N != b % N  # noqa: E731
    else:
        keep = lambda a, b: True  # noqa: E731

    def target_of(S, kp):
        return sinkhorn(S, kp, tau_t, n_iters) if balance else soft_rows(
            S, kp, tau_t)

    total, count = 0., 0
    if global_norm:  # one M x M matrix (Eq. 1)
        S_src = [[dot(a, b) for b in ut] for a in us]
        S_tgt = [[dot(a, b) for b in ut] for a in ut]
        A = soft_rows(S_src, keep, tau)
        B = target_of(S_tgt, keep)
        for i in range(N):
            for w in range(G):
                for v in range(V):
                    if v == w:
                        continue
                    a, t = v * N + i, w * N + i
                    cols = [keep(a, b) for b in range(V * N)]
                    total += cross_entropy(B[t], A[a], cols)
                    count += 1
        return total / count
    # per block: every N x N block S^{vu} normalised on its own
    for i in range(N):
        for w in range(G):
            for v in range(V):
                if v == w:
                    continue
                per_u = 0.
                for u in range(V):
                    Su = [[
                        dot(us[v * N + a], ut[u * N + b]) for b in range(N)
                    ] for a in range(N)]
                    Tu = [[
                        dot(ut[w * N + a], ut[u * N + b]) for b in range(N)
                    ] for a in range(N)]
                    if masking:
                        kb = lambda a, b: a != b  # noqa: E731
                    else:
                        kb = lambda a, b: True  # noqa: E731
                    A = soft_rows(Su, kb, tau)
                    B = target_of(Tu, kb)
                    per_u += cross_entropy(B[i], A[i],
                                           [kb(i, b) for b in range(N)])
                total += per_u / V
                count += 1
    return total / count


SWITCHES = [
    dict(),
    dict(positive_masking=False),
    dict(global_norm=False),
    dict(balance=False),
]


@pytest.mark.parametrize('switch', SWITCHES)
@pytest.mark.parametrize('teacher', [False, True])
def test_ablation_matches_naive_reference(switch, teacher):
    torch.manual_seed(0)
    V, G, N, D = 4, 2, 3, 5
    zs = torch.randn(V * N, D, dtype=torch.float64)
    zt = torch.randn(V * N, D, dtype=torch.float64) if teacher else zs
    loss = BAMLoss(
        num_views=V, num_global=G, tau=0.1, tau_t=0.05, n_iters=3, **switch)
    got = loss(zs, zt if teacher else None)
    want = naive(
        zs,
        zt,
        V,
        G,
        0.1,
        0.05,
        3,
        masking=switch.get('positive_masking', True),
        global_norm=switch.get('global_norm', True),
        balance=switch.get('balance', True))
    assert float(got) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize('switch', SWITCHES[1:])
def test_each_switch_changes_the_loss(switch):
    """Each ablation is a different loss than the full method (so the
    references above cannot all agree with one code path)."""
    torch.manual_seed(1)
    z = torch.randn(12, 6, dtype=torch.float64)
    full = BAMLoss(num_views=4, num_global=2)(z)
    assert abs(
        float(BAMLoss(num_views=4, num_global=2, **switch)(z)) -
        float(full)) > 1e-3


def test_without_balancing_plain_matching_at_equal_temperatures():
    """``balance=False`` with ``tau_t = tau``: Eq. (2) with the positives
    masked, target = source soft-max (no gradient through it)."""
    torch.manual_seed(2)
    V, N = 2, 4
    z = torch.randn(V * N, 3, dtype=torch.float64, requires_grad=True)
    got = BAMLoss(
        num_views=V, num_global=2, tau=0.2, tau_t=0.2, balance=False)(
            z)
    want = naive(z.detach(), z.detach(), V, 2, 0.2, 0.2, 1, True, True, False)
    assert float(got.detach()) == pytest.approx(want, rel=1e-6)
    got.backward()
    assert torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0


def test_per_block_targets_are_balanced_per_block():
    """``global_norm=False``: each N x N block of the target is doubly
    stochastic on its own (columns too, after enough iterations)."""
    from mmssl_addons.models.losses.bam_loss import (bam_targets,
                                                     positive_mask, to_blocks)
    torch.manual_seed(3)
    V, N = 3, 5
    z = torch.nn.functional.normalize(torch.randn(V * N, 4), dim=1)
    sim = z @ z.t()
    mask = to_blocks(positive_mask(V, N), V)
    assert mask.shape == (V, V, N, N)
    assert torch.equal(mask[1, 2], torch.eye(N, dtype=torch.bool))
    tgt = bam_targets(to_blocks(sim, V), mask, tau_t=0.5, n_iters=200)
    torch.testing.assert_close(tgt.sum(-1), torch.ones(V, V, N))
    torch.testing.assert_close(
        tgt.sum(-2), torch.ones(V, V, N), atol=1e-4, rtol=0)
    assert (tgt[mask] == 0).all()
