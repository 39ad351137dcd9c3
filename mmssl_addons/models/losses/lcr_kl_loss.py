"""KL loss between the GradCAM target and the GradCAM-fitting branch."""
from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS

_REDUCTIONS = ('none', 'mean', 'sum')


def lcr_kl_loss(pred: torch.Tensor,
                gradcam: torch.Tensor,
                tau: float = 0.4,
                reduction: str = 'sum') -> torch.Tensor:
    """``KL(softmax(G / tau) || softmax(A / tau))`` over all positions.

    From *Learning Common Rationale* (Shu et al., CVPR 2023), Eq. 5-6. Both
    maps are turned into distributions over the ``H * W`` positions of each
    image with a temperature softmax. The direction follows the authors'
    pseudocode (Alg. A1: ``kl_div(log softmax(A), softmax(G))``), i.e. the
    GradCAM distribution is the reference. The GradCAM is detached here (the
    paper's reading); the released code leaves it attached, so its KL also
    back-propagates into the GradCAM.

    Args:
        pred (Tensor): the branch's map ``A``, ``(N, H, W)``.
        gradcam (Tensor): the GradCAM ``G``, ``(N, H, W)``.
        tau (float): softmax temperature (0.4 in the paper).
        reduction (str): ``'none'`` -> ``(N,)``, ``'mean'`` -> mean over the
            batch, ``'sum'`` -> sum over batch and positions (the default,
            the scale ``nu = 0.01`` was tuned for).

    Returns:
        Tensor: the loss.
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f'reduction must be one of {_REDUCTIONS}, got '
                         f'{reduction!r}.')
    if tau <= 0:
        raise ValueError(f'tau must be > 0, got {tau}.')
    if pred.dim() != 3 or pred.shape != gradcam.shape:
        raise ValueError(
            'pred and gradcam must both be (N, H, W) with the same shape, got '
            f'{tuple(pred.shape)} and {tuple(gradcam.shape)}.')
    log_q = torch.log_softmax(pred.flatten(1).float() / tau, dim=1)
    p = torch.softmax(gradcam.detach().flatten(1).float() / tau, dim=1)
    kl = (torch.special.xlogy(p, p) - p * log_q).sum(dim=1)
    if reduction == 'none':
        return kl
    return kl.mean() if reduction == 'mean' else kl.sum()


@MODELS.register_module()
class LCRKLLoss(nn.Module):
    """Module wrapper of :func:`lcr_kl_loss` with a loss weight (``nu``).

    The released run sums the KL over the 32 images of each of its 4 GPUs,
    and data-parallel training averages the gradients over GPUs, so the
    weight ``nu = 0.01`` was tuned for ``nu * 32 * mean_n KL_n``. With
    ``reference_batch_size=R`` the ``'sum'`` is taken as ``R`` times the
    per-process mean: the same objective whatever the per-process batch or
    the number of processes. ``None`` sums over the images actually there.

    Args:
        tau (float): softmax temperature. Defaults to 0.4.
        loss_weight (float): ``nu`` in ``L = L_CL + nu * L_KL``.
            Defaults to 0.01.
        reduction (str): see :func:`lcr_kl_loss`. Defaults to ``'sum'``.
        reference_batch_size (int, optional): with ``'sum'``, the batch the
            sum is normalised to. Defaults to None.
    """

    def __init__(self,
                 tau: float = 0.4,
                 loss_weight: float = 0.01,
                 reduction: str = 'sum',
                 reference_batch_size: Optional[int] = None) -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'reduction must be one of {_REDUCTIONS}, got '
                             f'{reduction!r}.')
        if reference_batch_size is not None and (reduction != 'sum'
                                                 or reference_batch_size < 1):
            raise ValueError(
                'reference_batch_size needs reduction=\'sum\' and a '
                f'positive value, got {reference_batch_size!r} with '
                f'reduction={reduction!r}.')
        self.tau = tau
        self.loss_weight = loss_weight
        self.reduction = reduction
        self.reference_batch_size = reference_batch_size

    def forward(self, pred: torch.Tensor,
                gradcam: torch.Tensor) -> torch.Tensor:
        """``(N, H, W)`` x2 -> weighted loss."""
        if self.reference_batch_size is not None:
            return self.loss_weight * self.reference_batch_size * lcr_kl_loss(
                pred, gradcam, self.tau, 'mean')
        return self.loss_weight * lcr_kl_loss(pred, gradcam, self.tau,
                                              self.reduction)
