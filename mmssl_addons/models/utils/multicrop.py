"""Run a network over multi-crop views: one forward per resolution."""
from typing import Any, Callable, List, Sequence, Tuple

import torch


def resolution_groups(views: Sequence[torch.Tensor]) -> List[Tuple[int, int]]:
    """``[start, end)`` runs of consecutive views with the same shape.

    Multi-crop pipelines (SwAV, DINO, BAM, CLoVE) give the global crops
    first and the local crops after, so each run is one resolution.
    """
    groups: List[Tuple[int, int]] = []
    for i, view in enumerate(views):
        if groups and views[groups[-1][0]].shape == view.shape:
            groups[-1] = (groups[-1][0], i + 1)
        else:
            groups.append((i, i + 1))
    return groups


def forward_by_resolution(fn: Callable[[torch.Tensor], Any],
                          views: Sequence[torch.Tensor]) -> List[Any]:
    """``fn`` on each resolution group, its views concatenated.

    After DINO's ``MultiCropWrapper``: views ``(N, 3, H_v, W_v)`` of one
    resolution go through ``fn`` as one ``(G * N, 3, H_v, W_v)`` batch.

    Returns:
        list: ``fn``'s output for each group, in view order.
    """
    if not views:
        raise ValueError('forward_by_resolution needs at least one view.')
    return [
        fn(torch.cat(list(views[s:e]))) for s, e in resolution_groups(views)
    ]


def forward_per_view(fn: Callable[[torch.Tensor], torch.Tensor],
                     views: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """:func:`forward_by_resolution`, its tensor outputs split per view.

    ``fn`` returns a tensor whose first axis is the concatenated batch;
    the result has one ``(N, ...)`` chunk per view, in view order.
    """
    out: List[torch.Tensor] = []
    for (start, end), res in zip(
            resolution_groups(views), forward_by_resolution(fn, views)):
        out.extend(res.chunk(end - start))
    return out
