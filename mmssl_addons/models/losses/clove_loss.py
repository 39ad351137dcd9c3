"""CLoVE's contextualized-to-local margin ranking loss (Eq. 2)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS

LOSS_TYPES = ('rank', 'l2')
NEGATIVE_MODES = ('vector', 'similarity')


def _check_inputs(pred, target, match, topk, queue, loss_type, negative_mode):
    if loss_type not in LOSS_TYPES:
        raise ValueError(f'loss_type must be one of {LOSS_TYPES}, got '
                         f'{loss_type!r}')
    if negative_mode not in NEGATIVE_MODES:
        raise ValueError(f'negative_mode must be one of {NEGATIVE_MODES}, '
                         f'got {negative_mode!r}')
    if pred.dim() != 3 or target.dim() != 3:
        raise ValueError('pred and target must be (N, D, L) (flatten the '
                         'feature maps with .flatten(2)), got '
                         f'{tuple(pred.shape)} and {tuple(target.shape)}')
    if pred.shape[:2] != target.shape[:2]:
        raise ValueError('pred (N, D, L1) and target (N, D, L2) must agree '
                         f'in N and D, got {tuple(pred.shape)} and '
                         f'{tuple(target.shape)}')
    n, _, l1 = pred.shape
    l2 = target.shape[2]
    if match.shape != (n, l1, l2) or match.dtype != torch.bool:
        raise ValueError(f'match must be bool (N, L1, L2) = {(n, l1, l2)} '
                         '(see match_points), got '
                         f'{match.dtype} {tuple(match.shape)}')
    if loss_type == 'l2':
        return
    if topk < 2:
        raise ValueError(f'topk must be >= 2 (the most similar negative is '
                         f'dropped), got {topk}')
    if queue is None:
        if topk > l2:
            raise ValueError(
                f'topk={topk} is larger than the {l2} target locations '
                'that can serve as negatives; lower topk or use larger '
                'crops / feature maps')
    else:
        if queue.dim() != 2 or queue.shape[1] != pred.shape[1]:
            raise ValueError(f'queue must be (K, D) with D = '
                             f'{pred.shape[1]}, got {tuple(queue.shape)}')
        if topk > queue.shape[0]:
            raise ValueError(f'topk={topk} is larger than the queue '
                             f'({queue.shape[0]} negatives); lower topk or '
                             'enlarge the queue')


def clove_loss(pred: torch.Tensor,
               target: torch.Tensor,
               match: torch.Tensor,
               margin: float = 100.,
               lam: float = 2.,
               topk: int = 10,
               queue: Optional[torch.Tensor] = None,
               loss_type: str = 'rank',
               negative_mode: str = 'vector') -> torch.Tensor:
    r"""Contextualized-to-local loss of CLoVE.

    *Self-supervised Learning of Contextualized Local Visual Embeddings*
    (Silva, Pedrini, Ramírez Rivera, ICCVW 2023), Eq. (2): for every matched
    pair :math:`(i, j) \in M` of a student contextualized prediction
    :math:`C_i` and a teacher local target :math:`F_j`

    .. math::
        \max(0, -\lambda\,\sigma(C_i, F_j) + \sigma(C_i, F_{neg}) + \mu)

    with :math:`\sigma` the cosine similarity (the paper's scale, in
    [-1, 1]; the released code uses :math:`-2\sigma` as logits, which
    doubles the gradient: the paper configs set ``CLoVELoss(loss_weight=2)``
    to match it, which matters under LARS where BN and bias parameters step
    by ``lr * grad``). :math:`F_{neg}` for query ``i``: the ``topk``
    target locations of the same image most similar to :math:`C_i` among
    those **not** matched to ``i``, the single most similar dropped (a
    possible false negative), the remaining ``topk - 1`` averaged. The
    paper averages the *vectors* and takes the cosine to the average
    (``negative_mode='vector'``, default); the released code averages the
    similarities (``'similarity'``). Queries with fewer than ``topk``
    unmatched targets use those they have; with none left after the drop
    their negative term is 0.

    ``mu = 100`` (paper, Sec. 6) keeps the hinge always active, so the loss
    is :math:`\mu - \lambda\sigma_{pos} + \sigma_{neg}` and its value sits
    near 100. The paper gives no value for :math:`\lambda`; the default 2 is
    the released code's ``--lamb``. The paper sums over ``M``; here the
    pairs of each image are averaged and images averaged (images without
    any match are left out), so the scale does not depend on how many
    points match. The gradient flows to ``pred`` only: ``target`` (teacher)
    and ``queue`` are detached.

    Ablations: ``loss_type='l2'`` is the BYOL/PixPro normalised-l2 loss
    :math:`2 - 2\sigma(C_i, F_j)` over matched pairs (no negatives);
    ``queue`` ``(K, D)`` takes the negatives from a queue of other images'
    local features (paper Table 10, "inter") instead of the same image.

    Args:
        pred (Tensor): ``(N, D, L1)`` contextualized student predictions.
        target (Tensor): ``(N, D, L2)`` teacher local features.
        match (Tensor): bool ``(N, L1, L2)`` from :func:`match_points`.
        margin (float): :math:`\mu`.
        lam (float): :math:`\lambda`, weight of the positive similarity.
        topk (int): ``k`` (10 in the paper), dropped one included.
        queue (Tensor, optional): ``(K, D)`` inter-image negatives.
        loss_type (str): ``'rank'`` (Eq. 2) or ``'l2'``.
        negative_mode (str): ``'vector'`` or ``'similarity'``.

    Returns:
        Tensor: scalar loss.
    """
    _check_inputs(pred, target, match, topk, queue, loss_type, negative_mode)
    p = F.normalize(pred, dim=1)
    t = F.normalize(target.detach(), dim=1)
    sim = torch.einsum('ndi,ndj->nij', p, t)  # (N, L1, L2)
    pairs = match.float()
    if loss_type == 'l2':
        terms = 2. - 2. * sim
    else:
        if queue is None:
            cand_sim = sim.masked_fill(match, float('-inf'))
            cand = t.transpose(1, 2)  # (N, L2, D)
        else:
            q = F.normalize(queue.detach(), dim=1)
            cand_sim = torch.einsum('ndi,kd->nik', p, q)  # (N, L1, K)
            cand = q.unsqueeze(0).expand(p.shape[0], -1, -1)
        vals, idx = cand_sim.topk(topk, dim=-1)
        vals, idx = vals[..., 1:], idx[..., 1:]  # drop the most similar
        valid = torch.isfinite(vals).float()
        count = valid.sum(-1)
        if negative_mode == 'similarity':
            neg_sim = (vals.nan_to_num(neginf=0.) * valid).sum(-1) / (
                count.clamp(min=1.))
        else:
            n, l1, k = idx.shape
            vecs = torch.gather(
                cand, 1,
                idx.reshape(n, l1 * k, 1).expand(-1, -1, cand.shape[-1]))
            vecs = vecs.view(n, l1, k, -1) * valid.unsqueeze(-1)
            neg = vecs.sum(2) / count.clamp(min=1.).unsqueeze(-1)
            neg_sim = (F.normalize(neg, dim=-1) * p.transpose(1, 2)).sum(-1)
        neg_sim = neg_sim * (count > 0)
        terms = F.relu(-lam * sim + neg_sim.unsqueeze(-1) + margin)
    per_image_pairs = pairs.sum((1, 2))
    has_pairs = per_image_pairs > 0
    if not has_pairs.any():
        return pred.sum() * 0.
    per_image = (terms * pairs).sum((1, 2)) / per_image_pairs.clamp(min=1.)
    return per_image[has_pairs].mean()


@MODELS.register_module()
class CLoVELoss(nn.Module):
    """Registered wrapper of :func:`clove_loss` (CLoVE, Eq. 2).

    Args:
        margin (float): margin ``mu`` (paper: 100).
        lam (float): positive weight ``lambda`` (released code: 2).
        topk (int): negatives taken before dropping the most similar (10).
        loss_type (str): ``'rank'`` (paper) or ``'l2'`` (ablation, Table 8).
        negative_mode (str): ``'vector'`` (paper) or ``'similarity'``
            (released code).
        loss_weight (float): multiplier of the loss (2 in the paper configs:
            the released ``2 * cos`` logits' gradient).
    """

    def __init__(self,
                 margin: float = 100.,
                 lam: float = 2.,
                 topk: int = 10,
                 loss_type: str = 'rank',
                 negative_mode: str = 'vector',
                 loss_weight: float = 1.) -> None:
        super().__init__()
        if loss_type not in LOSS_TYPES:
            raise ValueError(f'loss_type must be one of {LOSS_TYPES}, got '
                             f'{loss_type!r}')
        if negative_mode not in NEGATIVE_MODES:
            raise ValueError(f'negative_mode must be one of '
                             f'{NEGATIVE_MODES}, got {negative_mode!r}')
        if loss_type == 'rank' and topk < 2:
            raise ValueError(f'topk must be >= 2, got {topk}')
        self.margin = margin
        self.lam = lam
        self.topk = topk
        self.loss_type = loss_type
        self.negative_mode = negative_mode
        self.loss_weight = loss_weight

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                match: torch.Tensor,
                queue: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``pred (N, D, L1)``, ``target (N, D, L2)``, ``match (N, L1, L2)``.
        """
        return self.loss_weight * clove_loss(
            pred,
            target,
            match,
            margin=self.margin,
            lam=self.lam,
            topk=self.topk,
            queue=queue,
            loss_type=self.loss_type,
            negative_mode=self.negative_mode)
