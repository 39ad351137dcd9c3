"""Reduce feature-extractor outputs to ``(N, C)`` vectors."""
import torch


def pool_features(feats) -> torch.Tensor:
    """Turn a feature extractor output into ``(N, C)`` features.

    A tuple / list (e.g. multi-stage backbone outputs) gives its last item;
    a ``(N, C, H, W)`` map is global-average-pooled; ``(N, C)`` is kept.
    """
    if isinstance(feats, (tuple, list)):
        feats = feats[-1]
    if feats.dim() == 4:
        feats = feats.mean(dim=(2, 3))
    if feats.dim() != 2:
        raise ValueError(
            f'expected (N, C) or (N, C, H, W) features, got shape '
            f'{tuple(feats.shape)}; pass `feature_fn` naming a model method '
            'that returns pooled (N, C) features.')
    return feats
