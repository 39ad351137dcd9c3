"""LARC against a naive loop of apex's formula (scale and clip modes)."""
import pytest
import torch

from mmssl_addons.engine import LARC


def reference_steps(params,
                    grads_per_step,
                    lr,
                    momentum,
                    wd,
                    eta,
                    clip,
                    eps=1e-8):
    """apex LARC + SGD, written out per tensor:
    rate = eta |w| / (|g| + wd |w| + eps) (clip: min(rate / lr, 1));
    d = rate (g + wd w); buf = m buf + d (buf = d at the first step);
    w = w - lr buf."""
    params = [p.clone() for p in params]
    bufs = [None] * len(params)
    for grads in grads_per_step:
        for i, (w, g) in enumerate(zip(params, grads)):
            w_norm, g_norm = w.norm(), g.norm()
            if w_norm > 0 and g_norm > 0:
                rate = eta * w_norm / (g_norm + wd * w_norm + eps)
                if clip:
                    rate = min(rate / lr, torch.tensor(1.))
                d = rate * (g + wd * w)
            else:
                d = g.clone()
            bufs[i] = d if bufs[i] is None else momentum * bufs[i] + d
            params[i] = w - lr * bufs[i]
    return params


@pytest.mark.parametrize('clip,eta', [(False, 0.001), (True, 0.02)])
def test_matches_reference(clip, eta):
    g = torch.Generator().manual_seed(0)
    init = [
        torch.randn(4, 3, generator=g),
        torch.randn(5, generator=g),
        torch.zeros(2)
    ]
    grads = [[torch.randn(p.shape, generator=g) for p in init]
             for _ in range(3)]
    params = [torch.nn.Parameter(p.clone()) for p in init]
    opt = LARC(
        params,
        lr=3.6,
        momentum=0.9,
        weight_decay=1e-2,
        trust_coefficient=eta,
        clip=clip)
    for step in grads:
        for p, gr in zip(params, step):
            p.grad = gr.clone()
        opt.step()
    expected = reference_steps(init, grads, 3.6, 0.9, 1e-2, eta, clip)
    for p, e in zip(params, expected):
        torch.testing.assert_close(p.detach(), e)
    # weight decay is restored on the groups after each step
    assert opt.param_groups[0]['weight_decay'] == 1e-2


def test_differs_from_plain_sgd_and_checks_args():
    w = torch.nn.Parameter(torch.ones(3))
    w.grad = torch.full((3, ), 10.)
    LARC([w], lr=1., trust_coefficient=0.001, clip=False).step()
    # rate = 0.001 * sqrt(3) / sqrt(300) = 1e-4: the step is 1e-3, not 10
    torch.testing.assert_close(w.detach(), torch.full((3, ), 1 - 1e-3))
    with pytest.raises(ValueError, match='trust_coefficient'):
        LARC([w], lr=1., trust_coefficient=0.)
