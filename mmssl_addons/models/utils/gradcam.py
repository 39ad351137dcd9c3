"""GradCAM of a self-supervised objective on a convolutional feature map."""
from typing import List, Sequence

import torch
import torch.nn.functional as F


def _check_feature_map(name: str, tensor: torch.Tensor) -> None:
    if not isinstance(tensor, torch.Tensor) or tensor.dim() != 4:
        shape = tuple(tensor.shape) if isinstance(tensor,
                                                  torch.Tensor) else None
        raise ValueError(
            f'{name} must be a 4-D tensor (N, C, H, W), got shape {shape}; '
            'pass the last convolutional feature map (e.g. ResNet layer4).')


def gradcam_map(feature_map: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    """GradCAM without spatial averaging of the gradient (LCR, Eq. 3).

    ``G_ij = ReLU(<dL/dphi_ij, phi_ij>)``: the per-location dot product of
    the gradient and the feature vector, as in *Learning Common Rationale*
    (Shu et al., CVPR 2023). Unlike the classic GradCAM the gradient is not
    averaged over positions first.

    Args:
        feature_map (Tensor): ``phi``, shape ``(N, C, H, W)``.
        grad (Tensor): gradient of the objective w.r.t. ``phi``, same shape.

    Returns:
        Tensor: ``(N, H, W)`` non-negative map. It is differentiable in its
        inputs; callers that use it as a target detach it.
    """
    _check_feature_map('feature_map', feature_map)
    _check_feature_map('grad', grad)
    if feature_map.shape != grad.shape:
        raise ValueError(
            f'grad shape {tuple(grad.shape)} does not match feature_map '
            f'shape {tuple(feature_map.shape)}; compute the gradient with '
            'respect to this very feature map.')
    return F.relu((grad * feature_map).sum(dim=1))


GRADCAM_SCALES = ('none', 'max')


def objective_gradcam(feature_maps: Sequence[torch.Tensor],
                      objective: torch.Tensor,
                      scale: str = 'max') -> List[torch.Tensor]:
    """Detached float32 GradCAM ``G`` of a scalar objective, one per map.

    ``G = ReLU(<dO/dphi_ij, phi_ij>)`` (:func:`gradcam_map`), with the
    gradient taken through the live graph that produced ``objective`` from
    the maps (the graph is kept for the training backward). Under mixed
    precision the objective is multiplied by the batch size before the
    gradient and divided after it, so the fp16 gradient of a batch-mean
    loss does not underflow; the map itself is float32.

    Args:
        feature_maps (list[Tensor]): ``phi`` maps ``(N, C, H, W)`` in the
            graph of ``objective``.
        objective (Tensor): scalar ``O``.
        scale (str): ``'max'`` divides each image's map by its maximum
            (scale-free); ``'none'`` keeps the raw values.

    Returns:
        list[Tensor]: ``(N, H, W)`` maps, no gradient.
    """
    if scale not in GRADCAM_SCALES:
        raise ValueError(f'gradcam scale must be one of {GRADCAM_SCALES}, '
                         f'got {scale!r}.')
    maps = list(feature_maps)
    for phi in maps:
        _check_feature_map('feature_map', phi)
    if objective.dim() != 0 or not objective.requires_grad:
        raise ValueError('the GradCAM objective must be a scalar in the '
                         'graph of the feature maps (computed from them, '
                         'with gradients enabled).')
    mixed = any(phi.dtype != torch.float32
                for phi in maps) or (torch.is_autocast_enabled(
                    maps[0].device.type))
    factor = float(maps[0].shape[0]) if mixed else 1.
    grads = torch.autograd.grad(
        objective.float() * factor if mixed else objective,
        maps,
        retain_graph=True)
    targets = []
    for phi, grad in zip(maps, grads):
        grad = grad.float() / factor if mixed else grad
        target = gradcam_map(phi.detach().float(), grad)
        if scale == 'max':
            peak = target.flatten(1).max(dim=1).values
            target = target / peak.clamp(min=1e-30)[:, None, None]
        targets.append(target)
    return targets
