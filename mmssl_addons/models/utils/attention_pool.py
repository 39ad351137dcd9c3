"""Attention-weighted pooling of a feature map (LCR test-time pooling)."""
import torch


def normalize_attention(attention: torch.Tensor,
                        eps: float = 1e-7) -> torch.Tensor:
    """Min-max normalise an attention map per image to ``[0, 1]``.

    ``A' = (A - min A) / (max A - min A + eps)``. The LCR paper prints
    ``(A - min A) / (eps + max A)``; we follow the min-max normalisation its
    text describes (the two agree whenever ``min A = 0``), which keeps ``A'``
    in ``[0, 1]`` for maps with negative values too.

    Args:
        attention (Tensor): ``(N, H, W)``.

    Returns:
        Tensor: ``(N, H, W)`` in ``[0, 1]``.
    """
    if attention.dim() != 3:
        raise ValueError('attention must be (N, H, W), got shape '
                         f'{tuple(attention.shape)}.')
    flat = attention.flatten(1)
    low = flat.min(dim=1, keepdim=True).values
    high = flat.max(dim=1, keepdim=True).values
    return ((flat - low) / (high - low + eps)).view_as(attention)


def attention_pool(feature_map: torch.Tensor,
                   attention: torch.Tensor,
                   normalize: bool = True) -> torch.Tensor:
    """Weighted pooling ``f = sum_ij A'_ij phi_ij`` (LCR, Eq. 8).

    Args:
        feature_map (Tensor): ``phi``, shape ``(N, C, H, W)``.
        attention (Tensor): ``A``, shape ``(N, H, W)``.
        normalize (bool): min-max normalise ``A`` per image first (the
            paper's test-time recipe). Defaults to True.

    Returns:
        Tensor: ``(N, C)`` pooled features (a sum, as in Eq. 8; retrieval
        uses cosine similarity so the overall scale does not matter).
    """
    if feature_map.dim() != 4:
        raise ValueError('feature_map must be (N, C, H, W), got shape '
                         f'{tuple(feature_map.shape)}.')
    n, _, h, w = feature_map.shape
    if tuple(attention.shape) != (n, h, w):
        raise ValueError(
            f'attention shape {tuple(attention.shape)} does not match the '
            f'feature map: expected (N, H, W) = {(n, h, w)}.')
    if normalize:
        attention = normalize_attention(attention)
    return torch.einsum('nchw,nhw->nc', feature_map, attention)
