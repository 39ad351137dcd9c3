"""BAM: balanced self-attention matching loss (pure functions + module).

*Unsupervised Representation Learning by Balanced Self Attention Matching*
(Shalam, Korman, ECCV 2024), Sec. 3 and Appendix C.

Notation: ``V`` views of ``N`` images, ``M = V * N`` augmented samples,
embeddings ordered view-major (row ``v * N + i`` is view ``v`` of image
``i``), the first ``num_global`` views are the global crops.

* ``S = Z Z^T`` over all ``M`` samples (one global matrix, Eq. 1), with
  every pair of views of the same image ("positives", self included) masked
  out of both matrices (Sec. 3.2, Eq. 3).
* source ``A = softmax_rows(S / tau)`` (gradient flows here only);
* target ``B``: Sinkhorn-Knopp balancing of ``exp(S / tau_t)`` (Eq. 4),
  ``n_iters`` alternations of row and column normalisation to mass 1 in
  the log domain under ``no_grad``, then every row renormalised;
* loss: for every global view ``w`` and every other view ``v`` of the same
  image, ``CE(B[(i, w)], A[(i, v)])`` averaged over ``i, w, v`` (Eq. 5
  with multi-crop; local-local pairs are excluded because targets only come
  from global views).

Ablations of the paper's Table 1 (``BAMLoss`` switches, all on by
default): ``positive_masking=False`` masks nothing (the authors' code with
``--positive_masking false``); ``global_norm=False`` normalises each
``N x N`` block ``S^{vu}`` (views ``v`` against views ``u``) separately,
soft-max and Sinkhorn alike, and matches row ``(i, v)`` of block
``(v, u)`` to row ``(i, w)`` of block ``(w, u)``, averaged over ``u``
(SwAV / ReLIC style); ``balance=False`` uses the row soft-max of
``S / tau_t`` as the target (no Sinkhorn; with ``tau_t = tau`` this is the
plain self-attention matching of Eq. 2).

Choice: one ``M x M`` matrix over all augmented samples and no top-k, as
Eq. 1 (the released code: global-crop columns only, top-k target; see
docs/fidelity.md).

Across processes the embeddings are gathered so that the soft-max and the
Sinkhorn normalisation are global over the whole batch; each process keeps
its own rows and the column sums are all-reduced, which gives the same
loss (mean over ranks) and gradients (DDP average) as one process with the
same total batch.
"""
from typing import Optional, Tuple

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS


def _world() -> Tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class _GatherWithGrad(torch.autograd.Function):
    """``all_gather`` whose backward sums the gradients of every rank.

    Rank ``r`` receives ``sum_s dL_s / dx_r`` for its own slice, so the DDP
    average of the parameter gradients equals the gradient of the mean of
    the per-rank losses, as with one process.
    """

    @staticmethod
    def forward(ctx, x):
        rank, world = _world()
        ctx.rank = rank
        out = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(out, x.contiguous())
        return torch.stack(out)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous()
        dist.all_reduce(grad)
        return grad[ctx.rank]


def gather_view_major(x: torch.Tensor,
                      num_views: int,
                      with_grad: bool = True) -> torch.Tensor:
    """Gather view-major ``(V * n, D)`` rows of every rank, keep view-major.

    Returns ``(V * R * n, D)``: row ``v * R * n + r * n + i`` is view ``v``
    of image ``i`` of rank ``r``. Without a process group ``x`` is
    returned. ``with_grad`` lets the gradient flow back to the local part
    (and sums the other ranks' contributions to it).
    """
    rank, world = _world()
    if world == 1:
        return x
    if with_grad:
        stacked = _GatherWithGrad.apply(x)
    else:
        out = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(out, x.detach().contiguous())
        stacked = torch.stack(out)
    n = x.shape[0] // num_views
    stacked = stacked.reshape(world, num_views, n, -1).transpose(0, 1)
    return stacked.reshape(num_views * world * n, -1)


def positive_mask(num_views: int,
                  num_images: int,
                  rank: int = 0,
                  world_size: int = 1,
                  device=None) -> torch.Tensor:
    """``(V * n, V * R * n)`` bool: row and column show the same image.

    Rows are the local samples of ``rank`` (view-major, ``n`` images),
    columns all gathered samples (see :func:`gather_view_major`). With one
    process this is the ``(M, M)`` mask including the diagonal.
    """
    n = num_images
    total = n * world_size
    row_img = torch.arange(n, device=device).repeat(num_views) + rank * n
    col_img = torch.arange(total, device=device).repeat(num_views)
    return row_img[:, None] == col_img[None, :]


def loss_mask(num_views: int,
              num_images: int,
              rank: int = 0,
              world_size: int = 1,
              device=None,
              positive_masking: bool = True) -> torch.Tensor:
    """The entries left out of soft-max, Sinkhorn and cross-entropy.

    ``positive_masking=True``: :func:`positive_mask` (Sec. 3.2, Eq. 3);
    ``False`` (Table 1 ablation, authors' ``--positive_masking false``):
    nothing, the self-similarities included.
    """
    mask = positive_mask(num_views, num_images, rank, world_size, device)
    return mask if positive_masking else torch.zeros_like(mask)


def to_blocks(x: torch.Tensor, num_views: int) -> torch.Tensor:
    """``(V * n, V * T)`` view-major rows and columns -> ``(V, V, n, T)``:
    ``[v, u]`` is the block of views ``v`` (rows) against views ``u``."""
    m, cols = x.shape[-2:]
    n, t = m // num_views, cols // num_views
    return x.reshape(num_views, n, num_views, t).permute(0, 2, 1, 3)


def _all_reduce_logsumexp(x: torch.Tensor) -> torch.Tensor:
    """``log(sum_ranks exp(x))`` element-wise, stable."""
    m = x.clone()
    dist.all_reduce(m, op=dist.ReduceOp.MAX)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    s = torch.exp(x - m)
    dist.all_reduce(s)
    return torch.log(s) + m


@torch.no_grad()
def sinkhorn_log(log_k: torch.Tensor,
                 n_iters: int,
                 distributed: bool = False) -> torch.Tensor:
    """Log-domain Sinkhorn-Knopp on ``log_k`` (``-inf`` = zero mass).

    Each iteration normalises every row, then every column, to mass 1
    (``exp`` of the result). With ``distributed`` the rows are split over
    the ranks and the column sums are all-reduced. Leading dimensions are
    independent matrices (the per-block ablation).

    Args:
        log_k (Tensor): ``(..., m, M)`` log kernel, e.g. ``S / tau_t``.
        n_iters (int): number of (row, column) alternations, >= 1.
        distributed (bool): rows split across the process group.

    Returns:
        Tensor: ``(..., m, M)`` log of the balanced matrix (float32 or
        wider).
    """
    log_p = log_k.float() if log_k.dtype in (torch.float16,
                                             torch.bfloat16) else log_k
    log_p = log_p.clone()
    for _ in range(n_iters):
        log_p = log_p - torch.logsumexp(log_p, dim=-1, keepdim=True)
        col = torch.logsumexp(log_p, dim=-2, keepdim=True)
        if distributed:
            col = _all_reduce_logsumexp(col)
        log_p = log_p - col
    return log_p


def _check_tau(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f'{name} must be > 0, got {value}.')


@torch.no_grad()
def bam_targets(sim: torch.Tensor,
                pos_mask: torch.Tensor,
                tau_t: float = 0.05,
                n_iters: int = 3,
                distributed: bool = False,
                balance: bool = True) -> torch.Tensor:
    """Balanced, entropy-regularised self-attention target ``B`` (Eq. 4).

    Sinkhorn-Knopp of ``exp(sim / tau_t)`` with the positives at zero mass,
    in the log domain and without gradient, then each row renormalised.
    ``balance=False`` (Table 1 ablation): the row soft-max of
    ``sim / tau_t`` only.

    Args:
        sim (Tensor): ``(M, M)`` cosine similarities (or the local ``(m, M)``
            rows with ``distributed=True``; leading dimensions are separate
            matrices).
        pos_mask (Tensor): bool, same shape: pairs of views of the same image
            (self included), given zero mass.
        tau_t (float): target temperature (entropy regularisation),
            ``tau_t < tau``; 0.05 in the paper.
        n_iters (int): Sinkhorn iterations (3 in the paper).
        distributed (bool): rows split over the process group, columns
            global (their sums are all-reduced).
        balance (bool): Sinkhorn balancing on (the paper's method).

    Returns:
        Tensor: ``(M, M)`` float32 target, rows sum to 1, zero on positives.
    """
    _check_tau('tau_t', tau_t)
    if n_iters < 1:
        raise ValueError(f'n_iters must be >= 1, got {n_iters}.')
    if sim.dim() < 2 or pos_mask.shape != sim.shape:
        raise ValueError(
            'sim and pos_mask must be 2-d with the same shape, '
            f'got {tuple(sim.shape)} and {tuple(pos_mask.shape)}.')
    if pos_mask.all(dim=-1).any():
        raise ValueError('a row of pos_mask masks every column: BAM needs at '
                         'least 2 different images in the (global) batch.')
    log_k = (sim.detach().float() / tau_t).masked_fill(pos_mask, -torch.inf)
    if not balance:
        return torch.softmax(log_k, dim=-1)
    log_p = sinkhorn_log(log_k, n_iters, distributed)
    return torch.softmax(log_p, dim=-1)


def bam_source_log_probs(sim: torch.Tensor, pos_mask: torch.Tensor,
                         tau: float) -> torch.Tensor:
    """``log softmax_rows(sim / tau)`` with positives excluded (Eq. 3)."""
    _check_tau('tau', tau)
    return torch.log_softmax(
        (sim.float() / tau).masked_fill(pos_mask, -torch.inf), dim=-1)


def bam_matching(log_src: torch.Tensor, target: torch.Tensor,
                 pos_mask: torch.Tensor, num_views: int,
                 num_global: int) -> torch.Tensor:
    """Cross-entropy between target rows of global views and source rows.

    For every image ``i``, global view ``w`` and view ``v != w``:
    ``-sum_j B[(i, w), j] log A[(i, v), j]`` (positives excluded), averaged.

    Args:
        log_src (Tensor): ``(V * n, M)`` source log-probabilities.
        target (Tensor): ``(V * n, M)`` targets (only the global-view rows
            are read).
        pos_mask (Tensor): ``(V * n, M)`` bool positives.
        num_views (int): ``V``.
        num_global (int): number of global views (the first ones).
    """
    n = log_src.shape[0] // num_views
    src = log_src.masked_fill(pos_mask, 0.).reshape(num_views, n, -1)
    tgt = target.reshape(num_views, n, -1)[:num_global]
    # ce[w, v, i] = -sum_j tgt[w, i, j] * src[v, i, j]
    ce = -torch.einsum('win,vin->wvi', tgt, src)
    keep = ~torch.eye(
        num_global, num_views, dtype=torch.bool, device=ce.device)
    return ce[keep].mean()


def bam_block_matching(log_src: torch.Tensor, target: torch.Tensor,
                       pos_mask: torch.Tensor,
                       num_global: int) -> torch.Tensor:
    """Per-block version of :func:`bam_matching` (``global_norm=False``).

    For every image ``i``, global view ``w``, view ``v != w`` and column
    view ``u``: ``-sum_j B^{wu}[i, j] log A^{vu}[i, j]``, averaged over
    ``u`` and then over ``i, w, v``.

    Args:
        log_src (Tensor): ``(V, V, n, T)`` per-block source log-probs.
        target (Tensor): ``(V, V, n, T)`` per-block targets.
        pos_mask (Tensor): ``(V, V, n, T)`` bool, entries left out.
        num_global (int): number of global views (the first ones).
    """
    num_views = log_src.shape[0]
    src = log_src.masked_fill(pos_mask, 0.)
    ce = -torch.einsum('wuij,vuij->wvi', target[:num_global], src)
    keep = ~torch.eye(
        num_global, num_views, dtype=torch.bool, device=ce.device)
    return ce[keep].mean() / num_views


def _match(sim_src: torch.Tensor, sim_tgt: torch.Tensor, mask: torch.Tensor,
           num_views: int, num_global: int, tau: float, tau_t: float,
           n_iters: int, distributed: bool, global_norm: bool,
           balance: bool) -> torch.Tensor:
    """Targets, sources and cross-entropy, one global matrix or blocks."""
    if not global_norm:
        sim_src, sim_tgt, mask = (
            to_blocks(x, num_views) for x in (sim_src, sim_tgt, mask))
    target = bam_targets(sim_tgt, mask, tau_t, n_iters, distributed, balance)
    log_src = bam_source_log_probs(sim_src, mask, tau)
    if global_norm:
        return bam_matching(log_src, target, mask, num_views, num_global)
    return bam_block_matching(log_src, target, mask, num_global)


def _check_views(embeddings: torch.Tensor, num_views: int,
                 num_global: int) -> int:
    if embeddings.dim() != 2:
        raise ValueError('embeddings must be (V * N, D) view-major, got shape '
                         f'{tuple(embeddings.shape)}.')
    if not 1 <= num_global <= num_views or num_views < 2:
        raise ValueError('need num_views >= 2 and 1 <= num_global <= '
                         f'num_views, got num_views={num_views}, '
                         f'num_global={num_global}.')
    if embeddings.shape[0] % num_views:
        raise ValueError(
            f'embeddings have {embeddings.shape[0]} rows, not a multiple of '
            f'num_views={num_views}: pass (V * N, D) ordered view-major.')
    return embeddings.shape[0] // num_views


def _resolve_gather(gather: Optional[bool]) -> bool:
    _, world = _world()
    return world > 1 if gather is None else (gather and world > 1)


def bam_loss(embeddings: torch.Tensor,
             num_views: int,
             num_global: int = 2,
             tau: float = 0.1,
             tau_t: float = 0.05,
             n_iters: int = 3,
             gather: Optional[bool] = None,
             positive_masking: bool = True,
             global_norm: bool = True,
             balance: bool = True) -> torch.Tensor:
    """BAM loss of one network's embeddings (Eq. 5, multi-crop).

    Args:
        embeddings (Tensor): ``(V * N, D)`` projector outputs, view-major;
            L2-normalised here.
        num_views (int): ``V`` (e.g. 2 global + 6 local = 8).
        num_global (int): the first ``num_global`` views are targets.
        tau (float): source soft-max temperature (0.1).
        tau_t (float): target (Sinkhorn) temperature (0.05).
        n_iters (int): Sinkhorn iterations (3).
        gather (bool, optional): gather over the process group (default:
            whenever one with more than one rank exists).
        positive_masking (bool): mask the views of the same image (Sec.
            3.2); False: Table 1 ablation, nothing masked.
        global_norm (bool): one ``M x M`` matrix (Sec. 3.1); False: Table 1
            ablation, each ``N x N`` view block normalised on its own.
        balance (bool): Sinkhorn target (Sec. 3.3); False: Table 1
            ablation, row soft-max target.

    Returns:
        Tensor: scalar loss (float32), the mean over this rank's images.
    """
    n = _check_views(embeddings, num_views, num_global)
    distributed = _resolve_gather(gather)
    rank, world = _world() if distributed else (0, 1)
    with torch.autocast(embeddings.device.type, enabled=False):
        z = F.normalize(embeddings.float(), dim=1)
        cols = gather_view_major(z, num_views) if distributed else z
        sim = z @ cols.t()
        mask = loss_mask(num_views, n, rank, world, z.device, positive_masking)
        return _match(sim, sim, mask, num_views, num_global, tau, tau_t,
                      n_iters, distributed, global_norm, balance)


def bam_distill_loss(student: torch.Tensor,
                     teacher: torch.Tensor,
                     num_views: int,
                     num_global: int = 2,
                     tau: float = 0.1,
                     tau_t: float = 0.05,
                     n_iters: int = 3,
                     gather: Optional[bool] = None,
                     positive_masking: bool = True,
                     global_norm: bool = True,
                     balance: bool = True) -> torch.Tensor:
    """Student-teacher BAM (Appendix C): ``A`` from ``Z_s Z_t^T``, ``B`` from
    ``Z_t Z_t^T``.

    Args:
        student (Tensor): ``(V * N, D)`` student embeddings, view-major.
        teacher (Tensor): ``(V * N, D)`` EMA-teacher embeddings of the same
            views (no gradient flows into them).
        Other arguments as :func:`bam_loss`.
    """
    n = _check_views(student, num_views, num_global)
    if teacher.shape != student.shape:
        raise ValueError('student and teacher embeddings must have the same '
                         f'shape, got {tuple(student.shape)} and '
                         f'{tuple(teacher.shape)}.')
    distributed = _resolve_gather(gather)
    rank, world = _world() if distributed else (0, 1)
    with torch.autocast(student.device.type, enabled=False):
        zs = F.normalize(student.float(), dim=1)
        zt = F.normalize(teacher.detach().float(), dim=1)
        cols = gather_view_major(zt, num_views, with_grad=False) \
            if distributed else zt
        mask = loss_mask(num_views, n, rank, world, zs.device,
                         positive_masking)
        return _match(zs @ cols.t(), zt @ cols.t(), mask, num_views,
                      num_global, tau, tau_t, n_iters, distributed,
                      global_norm, balance)


@MODELS.register_module()
class BAMLoss(nn.Module):
    """Module wrapper of :func:`bam_loss` / :func:`bam_distill_loss`.

    A schedule changes the target temperature through
    :meth:`set_target_temperature` (:class:`BAMTargetTemperatureHook`).

    Args:
        num_views (int): total views ``V``. Defaults to 8 (2 + 6).
        num_global (int): global views. Defaults to 2.
        tau (float): source temperature. Defaults to 0.1.
        tau_t (float): target temperature. Defaults to 0.05.
        n_iters (int): Sinkhorn iterations. Defaults to 3.
        loss_weight (float): multiplier. Defaults to 1.
        positive_masking (bool): Table 1 "pos. masking". Defaults to True.
        global_norm (bool): Table 1 "global norm". Defaults to True.
        balance (bool): Table 1 "attn. balance". Defaults to True.
    """

    def __init__(self,
                 num_views: int = 8,
                 num_global: int = 2,
                 tau: float = 0.1,
                 tau_t: float = 0.05,
                 n_iters: int = 3,
                 loss_weight: float = 1.0,
                 positive_masking: bool = True,
                 global_norm: bool = True,
                 balance: bool = True) -> None:
        super().__init__()
        _check_tau('tau', tau)
        _check_tau('tau_t', tau_t)
        if not 1 <= num_global <= num_views or num_views < 2:
            raise ValueError('need num_views >= 2 and 1 <= num_global <= '
                             f'num_views, got {num_views}, {num_global}.')
        self.num_views = num_views
        self.num_global = num_global
        self.tau = tau
        self.tau_t = tau_t
        self.n_iters = n_iters
        self.loss_weight = loss_weight
        self.positive_masking = positive_masking
        self.global_norm = global_norm
        self.balance = balance

    def set_target_temperature(self, tau_t: float) -> None:
        """Use ``tau_t`` (> 0) from the next forward on."""
        _check_tau('tau_t', tau_t)
        self.tau_t = tau_t

    def forward(self,
                embeddings: torch.Tensor,
                teacher: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``(V * N, D)`` [+ teacher ``(V * N, D)``] -> weighted loss."""
        kw = dict(
            num_views=self.num_views,
            num_global=self.num_global,
            tau=self.tau,
            tau_t=self.tau_t,
            n_iters=self.n_iters,
            positive_masking=self.positive_masking,
            global_norm=self.global_norm,
            balance=self.balance)
        if teacher is None:
            loss = bam_loss(embeddings, **kw)
        else:
            loss = bam_distill_loss(embeddings, teacher, **kw)
        return self.loss_weight * loss
