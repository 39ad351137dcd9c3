"""LARC: SGD with a layer-wise adaptive rate (You et al. 2017, apex LARC)."""
import torch
from mmpretrain.registry import OPTIMIZERS
from torch.optim import SGD


@OPTIMIZERS.register_module()
class LARC(SGD):
    """SGD whose gradient is scaled per parameter tensor by a trust ratio.

    The SCA paper (supplementary 1.2) trains with "LARC optimizer with
    momentum of .9 and weight decay of 1e-6", the optimizer of the SwAV code
    it builds on (NVIDIA apex's ``LARC`` wrapping SGD, used there with
    ``trust_coefficient=0.001, clip=False``). For each parameter ``w`` with
    gradient ``g`` (both non-zero):

    ``rate = eta * ||w|| / (||g|| + wd * ||w|| + eps)``; with ``clip``,
    ``rate = min(rate / lr, 1)``; then ``g <- rate * (g + wd * w)``

    and a plain SGD step (momentum, no further weight decay) follows:
    ``buf <- m * buf + g``, ``w <- w - lr * buf``. Every parameter is
    adapted and decayed, biases and norm layers included, as in apex; a
    zero ``w`` or ``g`` gets neither (apex). mmpretrain's ``LARS`` differs:
    it puts ``lr`` inside the momentum buffer and can exclude norm layers
    and biases.

    Args:
        params: parameters or param groups.
        lr (float): learning rate.
        momentum (float): SGD momentum. Defaults to 0.
        weight_decay (float): ``wd``, folded into the adapted gradient.
            Defaults to 0.
        trust_coefficient (float): ``eta``. Defaults to 0.02 (apex).
        clip (bool): clip mode (``min(rate / lr, 1)``) instead of scale
            mode. Defaults to True (apex).
        eps (float): Defaults to 1e-8.
        **kwargs: other :class:`torch.optim.SGD` arguments (dampening,
            nesterov).
    """

    def __init__(self,
                 params,
                 lr: float,
                 momentum: float = 0.,
                 weight_decay: float = 0.,
                 trust_coefficient: float = 0.02,
                 clip: bool = True,
                 eps: float = 1e-8,
                 **kwargs) -> None:
        if trust_coefficient <= 0:
            raise ValueError(f'trust_coefficient must be > 0, got '
                             f'{trust_coefficient}.')
        self.trust_coefficient = trust_coefficient
        self.clip = clip
        self.eps = eps
        super().__init__(
            params,
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            **kwargs)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        decays = []
        for group in self.param_groups:
            wd = group['weight_decay']
            decays.append(wd)
            for p in group['params']:
                if p.grad is None:
                    continue
                w_norm = torch.linalg.vector_norm(p)
                g_norm = torch.linalg.vector_norm(p.grad)
                if w_norm == 0 or g_norm == 0:
                    continue
                rate = self.trust_coefficient * w_norm / (
                    g_norm + wd * w_norm + self.eps)
                if self.clip:
                    rate = torch.clamp(rate / group['lr'], max=1.)
                p.grad.add_(p, alpha=wd).mul_(rate)
            group['weight_decay'] = 0.
        try:
            super().step()
        finally:
            for group, wd in zip(self.param_groups, decays):
                group['weight_decay'] = wd
        return loss
