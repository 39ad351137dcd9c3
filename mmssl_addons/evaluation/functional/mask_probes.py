"""Where a map puts its mass, and how much a feature follows the background.

Pure torch; ground truth comes from the synthetic test bed (object / part
masks, controlled pairs), see :mod:`mmssl_addons.synthetic`.
"""
from typing import Dict

import torch
import torch.nn.functional as F


def _check_maps_masks(maps, masks):
    if not isinstance(maps, torch.Tensor) or maps.dim() != 3:
        raise ValueError('maps must be a (N, h, w) tensor, got '
                         f'{getattr(maps, "shape", type(maps))}.')
    if not isinstance(masks, torch.Tensor) or masks.dim() != 3:
        raise ValueError('masks must be a (N, H, W) tensor, got '
                         f'{getattr(masks, "shape", type(masks))}.')
    if masks.dtype != torch.bool:
        raise ValueError(f'masks must be boolean, got {masks.dtype}; pass '
                         '`masks > 0` for 0/255 PNG masks.')
    if len(maps) != len(masks) or len(maps) == 0:
        raise ValueError(f'maps ({len(maps)}) and masks ({len(masks)}) must '
                         'hold the same, non-zero number of images.')
    if not torch.isfinite(maps).all():
        raise ValueError('maps contain NaN or inf.')


def attention_in_mask(maps: torch.Tensor,
                      masks: torch.Tensor) -> Dict[str, float]:
    """Energy and pointing game of maps against ground-truth masks.

    Each map is resized to its mask's size with bilinear interpolation
    (``align_corners=False``, as ``F.interpolate``) and its negative values
    are set to 0. Then, per image ``i``, with ``A_i`` the resized map and
    ``M_i`` the mask:

    - energy ``e_i = sum(A_i * M_i) / sum(A_i)``: the share of the map's mass
      inside the mask (in [0, 1]; an all-zero map counts as a uniform one,
      so ``e_i = |M_i| / (H W)``, the chance level);
    - pointing ``p_i = 1`` when the map's maximum lies inside the mask (ties:
      the first maximum in row-major order), else 0.

    Args:
        maps (Tensor): ``(N, h, w)`` float maps (GradCAM, attention, CAM,
            feature norm, any range).
        masks (Tensor): ``(N, H, W)`` bool ground-truth masks (object or a
            part).

    Returns:
        dict: ``energy`` mean of ``e_i`` and ``pointing`` mean of ``p_i``,
        both in percent ``[0, 100]``; ``num_images``.
    """
    _check_maps_masks(maps, masks)
    size = masks.shape[-2:]
    resized = F.interpolate(
        maps[:, None].double(),
        size=size,
        mode='bilinear',
        align_corners=False)[:, 0].clamp(min=0)
    flat = resized.flatten(1)
    inside = masks.flatten(1).double()
    total = flat.sum(1)
    uniform = total <= 0
    flat = torch.where(uniform[:, None], torch.ones_like(flat), flat)
    energy = (flat * inside).sum(1) / flat.sum(1)
    pointing = inside.gather(1, flat.argmax(1, keepdim=True))[:, 0]
    return dict(
        energy=100.0 * float(energy.mean()),
        pointing=100.0 * float(pointing.mean()),
        num_images=len(maps))


def background_sensitivity(anchor: torch.Tensor, background: torch.Tensor,
                           obj: torch.Tensor) -> Dict[str, float]:
    """How much a frozen feature follows the background rather than the object.

    With the controlled pairs of the synthetic test bed, ``anchor[i]`` is the
    feature of image ``i``, ``background[i]`` of the same object on another
    background and ``obj[i]`` of another object (another class) on the same
    background. With the cosine distance ``d(x, y) = 1 - cos(x, y)`` (in
    [0, 2]):

    ``D_bg = mean_i d(anchor_i, background_i)``,
    ``D_obj = mean_i d(anchor_i, obj_i)`` and

    ``background_sensitivity = D_bg / (D_bg + D_obj)``, in [0, 1]:
    0 when changing only the background does not move the feature at all,
    0.5 when it moves the feature as much as changing only the object, 1
    when only the background matters. Lower is better for an object-centric
    representation.

    Args:
        anchor, background, obj (Tensor): ``(N, C)`` features.

    Returns:
        dict: ``background_sensitivity`` (in [0, 1]), ``d_background``,
        ``d_object`` (mean cosine distances) and ``num_pairs``.
    """
    feats = (anchor, background, obj)
    for name, f in zip(('anchor', 'background', 'obj'), feats):
        if not isinstance(f, torch.Tensor) or f.dim() != 2:
            raise ValueError(f'{name} must be a (N, C) tensor, got '
                             f'{getattr(f, "shape", type(f))}.')
        if not torch.isfinite(f).all():
            raise ValueError(f'{name} contains NaN or inf.')
    if not anchor.shape == background.shape == obj.shape or not len(anchor):
        raise ValueError('anchor, background and obj must have the same, '
                         'non-empty (N, C) shape; got '
                         f'{[tuple(f.shape) for f in feats]}.')
    if (torch.stack([f.norm(dim=1) for f in feats]) == 0).any():
        raise ValueError('a feature is all zero: its cosine distance is '
                         'undefined.')
    a, b, o = (F.normalize(f.double(), dim=1) for f in feats)
    d_bg = float((1 - (a * b).sum(1)).clamp(min=0).mean())
    d_obj = float((1 - (a * o).sum(1)).clamp(min=0).mean())
    if d_bg + d_obj <= 1e-12:  # rounding leaves ~1e-16 for equal features
        raise ValueError('the features do not move at all (D_bg = D_obj = '
                         '0): background sensitivity is undefined; check '
                         'that the pairs differ.')
    return dict(
        background_sensitivity=d_bg / (d_bg + d_obj),
        d_background=d_bg,
        d_object=d_obj,
        num_pairs=len(anchor))
