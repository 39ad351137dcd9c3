"""BAM loss against naive loop references from the paper's equations."""
import math

import pytest
import torch

from mmssl_addons.models.losses import (BAMLoss, bam_distill_loss, bam_loss,
                                        bam_targets, positive_mask,
                                        sinkhorn_log)


def naive_similarity(za, zb):

    def unit(v):
        n = math.sqrt(sum(x * x for x in v))
        return [x / n for x in v]

    za = [unit(v) for v in za.tolist()]
    zb = [unit(v) for v in zb.tolist()]
    return [[sum(x * y for x, y in zip(a, b)) for b in zb] for a in za]


def naive_targets(S, N, tau_t, n_iters):
    """Eq. 4 by Sinkhorn-Knopp on exp(S / tau_t), positives zeroed."""
    M = len(S)
    K = [[
        0. if a % N == b % N else math.exp(S[a][b] / tau_t) for b in range(M)
    ] for a in range(M)]
    for _ in range(n_iters):
        for a in range(M):
            r = sum(K[a])
            K[a] = [x / r for x in K[a]]
        for b in range(M):
            c = sum(K[a][b] for a in range(M))
            for a in range(M):
                K[a][b] /= c
    return [[x / sum(row) for x in row] for row in K]


def naive_source(S, N, tau):
    """Eq. 3: row soft-max over the non-positive entries."""
    M = len(S)
    A = []
    for a in range(M):
        e = [
            0. if a % N == b % N else math.exp(S[a][b] / tau) for b in range(M)
        ]
        A.append([x / sum(e) for x in e])
    return A


def naive_matching(A, B, N, V, G):
    """Eq. 5, multi-crop: target rows of global views w, sources v != w."""
    total, count = 0., 0
    for i in range(N):
        for w in range(G):
            for v in range(V):
                if v == w:
                    continue
                a, t = v * N + i, w * N + i
                total -= sum(B[t][b] * math.log(A[a][b])
                             for b in range(len(A)) if b % N != i)
                count += 1
    return total / count


def naive_bam(z, V, G, tau, tau_t, n_iters):
    N = z.shape[0] // V
    S = naive_similarity(z, z)
    return naive_matching(
        naive_source(S, N, tau), naive_targets(S, N, tau_t, n_iters), N, V, G)


def naive_distill(zs, zt, V, G, tau, tau_t, n_iters):
    N = zs.shape[0] // V
    B = naive_targets(naive_similarity(zt, zt), N, tau_t, n_iters)
    A = naive_source(naive_similarity(zs, zt), N, tau)
    return naive_matching(A, B, N, V, G)


@pytest.mark.parametrize('V,G,N', [(2, 2, 4), (5, 2, 3), (3, 1, 3)])
def test_loss_matches_naive_reference(V, G, N):
    z = torch.randn(V * N, 6, generator=torch.Generator().manual_seed(V + N))
    got = bam_loss(z, V, G, tau=0.1, tau_t=0.05, n_iters=3)
    assert got.item() == pytest.approx(
        naive_bam(z.double(), V, G, 0.1, 0.05, 3), rel=1e-5)


def test_targets_match_naive_reference():
    V, N = 3, 4
    z = torch.randn(V * N, 5, generator=torch.Generator().manual_seed(0))
    zn = torch.nn.functional.normalize(z, dim=1)
    got = bam_targets(zn @ zn.t(), positive_mask(V, N), 0.05, 3)
    want = torch.tensor(naive_targets(naive_similarity(z, z), N, 0.05, 3))
    torch.testing.assert_close(got, want.float(), rtol=1e-4, atol=1e-6)


def test_distill_matches_naive_reference():
    V, G, N = 4, 2, 3
    g = torch.Generator().manual_seed(1)
    zs, zt = torch.randn(
        V * N, 5, generator=g), torch.randn(
            V * N, 5, generator=g)
    got = bam_distill_loss(zs, zt, V, G, 0.1, 0.05, 3)
    want = naive_distill(zs.double(), zt.double(), V, G, 0.1, 0.05, 3)
    assert got.item() == pytest.approx(want, rel=1e-5)


def test_targets_doubly_stochastic_with_zero_mass_on_positives():
    torch.manual_seed(0)  # 300 iterations converge for this draw
    V, N = 4, 5
    z = torch.nn.functional.normalize(torch.randn(V * N, 8), dim=1)
    sim, mask = z @ z.t(), positive_mask(V, N)
    log_k = (sim / 0.05).masked_fill(mask, -torch.inf)
    p = sinkhorn_log(log_k, 300).exp()  # before the row renormalisation
    ones = torch.ones(V * N)
    torch.testing.assert_close(p.sum(0), ones, rtol=0, atol=1e-5)
    torch.testing.assert_close(p.sum(1), ones, rtol=0, atol=1e-4)
    assert (p[mask] == 0).all()
    # self-similarities are symmetric -> so is the balanced matrix
    torch.testing.assert_close(p, p.t(), rtol=0, atol=1e-4)
    # three iterations: columns exact, rows close; output rows sum to 1
    p3 = sinkhorn_log(log_k, 3).exp()
    torch.testing.assert_close(p3.sum(0), ones, rtol=0, atol=1e-5)
    target = bam_targets(sim, mask, 0.05, 3)
    torch.testing.assert_close(target.sum(1), ones)
    assert (target[mask] == 0).all() and (target[~mask] > 0).all()


def test_gradient_only_through_the_source():
    V, G, N = 4, 2, 3
    z = torch.randn(V * N, 6, dtype=torch.float64, requires_grad=True)
    loss = bam_loss(z, V, G)
    loss.backward()
    # reference: the same CE with the target as a constant
    z2 = z.detach().clone().requires_grad_(True)
    zn = torch.nn.functional.normalize(z2, dim=1)
    sim, mask = zn @ zn.t(), positive_mask(V, N)
    target = bam_targets(sim, mask, 0.05, 3)
    assert not target.requires_grad
    log_a = torch.log_softmax((sim / 0.1).masked_fill(mask, -torch.inf), 1)
    log_a = log_a.masked_fill(mask, 0.)
    ref = 0.
    for w in range(G):
        for v in range(V):
            if v != w:
                ref = ref - (target[w * N:(w + 1) * N] *
                             log_a[v * N:(v + 1) * N]).sum(1).mean()
    (ref / (G * (V - 1))).backward()
    torch.testing.assert_close(z.grad.float(), z2.grad.float())
    # distillation: the teacher gets no gradient
    s = torch.randn(V * N, 6, requires_grad=True)
    t = torch.randn(V * N, 6, requires_grad=True)
    bam_distill_loss(s, t, V, G).backward()
    assert t.grad is None and s.grad.abs().sum() > 0


def test_finite_in_half_precision_and_low_target_temperature():
    V, G, N = 8, 2, 6
    z = torch.randn(V * N, 16)
    for tau_t in (0.05, 0.01):
        ref = naive_bam(z.double(), V, G, 0.1, tau_t, 3)
        got = bam_loss(z, V, G, tau_t=tau_t)
        assert got.item() == pytest.approx(ref, rel=1e-4)
        half = bam_loss(z.half(), V, G, tau_t=tau_t)
        assert half.dtype == torch.float32
        assert half.item() == pytest.approx(ref, rel=2e-2)
    lin = torch.nn.Linear(16, 32)
    with torch.autocast('cpu', dtype=torch.float16):
        emb = lin(z)
        assert emb.dtype == torch.float16
        loss = bam_loss(emb, V, G, tau_t=0.01)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(lin.weight.grad).all()
    # near-identical embeddings (collapse): still finite
    same = torch.ones(V * N, 16) + 1e-4 * torch.randn(V * N, 16)
    assert torch.isfinite(bam_loss(same.half(), V, G, tau_t=0.01))


def test_module_and_error_messages():
    V, G, N = 4, 2, 3
    z = torch.randn(V * N, 6)
    module = BAMLoss(num_views=V, num_global=G, loss_weight=2.)
    assert module(z).item() == pytest.approx(2 * bam_loss(z, V, G).item())
    t = torch.randn(V * N, 6)
    assert module(z, t).item() == pytest.approx(
        2 * bam_distill_loss(z, t, V, G).item())
    with pytest.raises(ValueError, match='multiple of num_views'):
        bam_loss(torch.randn(10, 4), 4, 2)
    with pytest.raises(ValueError, match='num_global'):
        bam_loss(z, V, 5)
    with pytest.raises(ValueError, match='at least 2 different images'):
        bam_loss(torch.randn(4, 6), 4, 2)  # one image
    with pytest.raises(ValueError, match='tau_t must be > 0'):
        bam_loss(z, V, G, tau_t=0.)
    with pytest.raises(ValueError, match='same shape'):
        bam_distill_loss(z, z[:8], V, G)


def plain_attention_matching(z, num_views, num_global, tau=0.1):
    """Eq. 2 with positives masked: the swapped, stop-gradient soft-max
    target at the same temperature, no Sinkhorn balancing (the ablation)."""
    from mmssl_addons.models.losses.bam_loss import (bam_matching,
                                                     bam_source_log_probs)
    n = z.shape[0] // num_views
    z = torch.nn.functional.normalize(z, dim=1)
    sim, mask = z @ z.t(), positive_mask(num_views, n)
    target = torch.softmax(
        (sim.detach() / tau).masked_fill(mask, -torch.inf), dim=1)
    return bam_matching(
        bam_source_log_probs(sim, mask, tau), target, mask, num_views,
        num_global)


def train_toy(loss_fn, steps=100, n=32, seed=0):
    """8 Gaussian clusters in 32-d, views = noisy copies, MLP to 16-d."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    centers = 2 * torch.randn(8, 32, generator=g)
    data = centers[torch.arange(256) % 8] + torch.randn(256, 32, generator=g)
    net = torch.nn.Sequential(
        torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 16))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(steps):
        x = data[torch.randint(0, 256, (n, ), generator=g)]
        views = torch.cat([x + 0.5 * torch.randn(n, 32, generator=g)] +
                          [x + 0.5 * torch.randn(n, 32, generator=g)])
        loss = loss_fn(net(views), 2, 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        z = torch.nn.functional.normalize(net(data), dim=1)
    s = torch.linalg.svdvals(z)
    p = s / s.sum()
    effective_rank = torch.exp(-(p * p.log()).sum()).item()
    mean_cos = (z @ z.t()).mean().item()
    return effective_rank, mean_cos


def test_plain_matching_collapses_and_bam_does_not():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only add overhead
    try:
        rank_plain, cos_plain = train_toy(plain_attention_matching)
        rank_bam, cos_bam = train_toy(bam_loss)
    finally:
        torch.set_num_threads(threads)
    # plain: every embedding points the same way (constant-vector collapse)
    assert cos_plain > 0.9 and rank_plain < 5
    # BAM: spread out (mean cosine near 0) and higher-dimensional
    assert cos_bam < 0.2 and rank_bam > 6
