"""forward_by_resolution / forward_per_view against a naive loop."""
import pytest
import torch
import torch.nn as nn

from mmssl_addons.models.utils import (forward_by_resolution, forward_per_view,
                                       resolution_groups)


def crops(sizes, n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 2, s, s, generator=g) for s in sizes]


def test_groups_are_consecutive_runs_of_one_shape():
    views = crops([8, 8, 4, 4, 4, 8])
    assert resolution_groups(views) == [(0, 2), (2, 5), (5, 6)]
    assert resolution_groups(crops([4])) == [(0, 1)]


def test_one_call_per_group_on_the_concatenated_batch():
    calls = []

    def fn(x):
        calls.append(x.shape[0])
        return x.mean((1, 2, 3))

    views = crops([8, 8, 4, 4, 4])
    out = forward_by_resolution(fn, views)
    assert calls == [6, 9]
    naive = [
        torch.cat([v.mean((1, 2, 3)) for v in views[:2]]),
        torch.cat([v.mean((1, 2, 3)) for v in views[2:]])
    ]
    for a, b in zip(out, naive):
        torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match='at least one view'):
        forward_by_resolution(fn, [])


def test_per_view_chunks_share_the_group_batch_statistics():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 4, 1), nn.BatchNorm2d(4)).train()
    views = crops([8, 8, 4])
    out = forward_per_view(net, views)
    assert [o.shape for o in out] == [(3, 4, 8, 8)] * 2 + [(3, 4, 4, 4)]
    joint = net(torch.cat(views[:2]))  # one batch for the 8 px views
    torch.testing.assert_close(out[0], joint[:3])
    torch.testing.assert_close(out[1], joint[3:])
    torch.testing.assert_close(out[2], net(views[2]))
    # per-view batches (the wrong grouping) normalise differently
    assert not torch.allclose(out[0], net(views[0]))
