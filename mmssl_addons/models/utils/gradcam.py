"""GradCAM of a self-supervised objective on a convolutional feature map."""
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
