"""Gather per-rank embedding shards into one bank on rank 0, on the CPU."""
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_rank, get_world_size

_CPU_GROUPS: dict = {}


def cpu_process_group():
    """A process group over all ranks that sends CPU tensors (gloo).

    The default group when its backend is gloo; otherwise (NCCL) a gloo
    group over the same ranks, created once per default group. None when
    not distributed. Every rank must call it (group creation is collective).
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return None
    if torch_dist.get_backend() == 'gloo':
        return torch_dist.group.WORLD
    key = id(torch_dist.group.WORLD)
    if key not in _CPU_GROUPS:
        _CPU_GROUPS[key] = torch_dist.new_group(backend='gloo')
    return _CPU_GROUPS[key]


def gather_memory_bank(feats: torch.Tensor,
                       idx: torch.Tensor,
                       num_images: int,
                       stats: Optional[dict] = None) -> Optional[torch.Tensor]:
    """Assemble the ``(N, d)`` float32 bank on rank 0 from every rank's shard.

    Each rank holds the embeddings ``feats`` ``(L, d)`` of its images
    ``idx`` ``(L,)``. The shards are copied to the CPU; every rank other than
    0 sends its shard to rank 0 over a gloo group (:func:`cpu_process_group`)
    and rank 0 writes them, one at a time, into the bank by index
    (duplicates from a sampler's round-up write the same row). No rank but
    0 holds more than its own shard, and no accelerator memory is used.

    Rank 0 raises if an image is missing or the shards' widths differ
    (after receiving every shard, so no rank waits forever); a rank
    without images sends an empty shard. ``stats``, if given, receives on
    rank 0 ``bank_bytes`` (``4 N d``) and ``gather_peak_bytes``: the bank, its
    ``(N,)`` bool coverage mask, rank 0's own shard and the largest shard
    received, i.e. the CPU memory the gather holds at its peak.

    Returns:
        Tensor | None: ``(N, d)`` CPU float32 on rank 0; None on the others.
    """
    feats = feats.detach().float().cpu().contiguous()
    idx = idx.detach().long().cpu().contiguous()
    if feats.dim() != 2 or idx.shape != feats.shape[:1]:
        raise ValueError(f'feats must be (L, d) and idx (L,), got '
                         f'{tuple(feats.shape)} and {tuple(idx.shape)}.')
    world, rank = get_world_size(), get_rank()
    group = cpu_process_group() if world > 1 else None
    if rank != 0:
        torch_dist.send(
            torch.tensor(feats.shape, dtype=torch.long), 0, group=group)
        torch_dist.send(feats, 0, group=group)
        torch_dist.send(idx, 0, group=group)
        return None
    bank, mismatch = None, None
    seen = torch.zeros(num_images, dtype=torch.bool)
    largest = 0
    for src in range(world):
        if src == 0:
            shard, shard_idx = feats, idx
        else:
            shape = torch.empty(2, dtype=torch.long)
            torch_dist.recv(shape, src, group=group)
            shard = feats.new_empty(int(shape[0]), int(shape[1]))
            shard_idx = torch.empty(int(shape[0]), dtype=torch.long)
            torch_dist.recv(shard, src, group=group)
            torch_dist.recv(shard_idx, src, group=group)
            largest = max(largest, shard.nbytes + shard_idx.nbytes)
        if len(shard_idx) == 0:  # a rank without images (bank width unset)
            continue
        if bank is None:
            bank = feats.new_zeros(num_images, shard.shape[1])
        elif shard.shape[1] != bank.shape[1]:  # raised once all have sent
            mismatch = (f'rank {src} sent {shard.shape[1]}-d embeddings, '
                        f'another rank {bank.shape[1]}-d: every rank must '
                        'run the same model.')
            continue
        bank[shard_idx] = shard
        seen[shard_idx] = True
        del shard, shard_idx
    if mismatch is not None:
        raise RuntimeError(mismatch)
    if not bool(seen.all()):
        raise RuntimeError(
            f'SCAClusteringHook embedded {int(seen.sum())} of {num_images} '
            'images; use a DefaultSampler without drop_last for its '
            'dataloader.')
    if stats is not None:
        stats['bank_bytes'] = bank.nbytes
        stats['gather_peak_bytes'] = (
            bank.nbytes + seen.nbytes + feats.nbytes + idx.nbytes + largest)
    return bank


def broadcast_labels(labels: torch.Tensor) -> torch.Tensor:
    """Broadcast rank 0's ``(N,)`` CPU ``labels`` in place (gloo group)."""
    if get_world_size() > 1:
        torch_dist.broadcast(labels, 0, group=cpu_process_group())
    return labels
