"""Per-epoch k-means pseudo-labels of the training set (SCA memory bank)."""
import time
import warnings
from typing import Optional, Union

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from torch.utils.data import DataLoader

from mmssl_addons.datasets.sca_positive_dataset import find_positive_dataset
from mmssl_addons.evaluation.functional.clustering import kmeans_assign
from mmssl_addons.evaluation.inference import run_over_loader
from mmssl_addons.models.utils.align_cluster_ids import align_cluster_ids
from .model_wrapper import train_dataset, unwrap_model
from .rank0_gather import broadcast_labels, gather_memory_bank

__all__ = ['SCAClusteringHook', 'gather_memory_bank', 'kmeans_pseudo_labels']

CHECKPOINT_KEY = 'sca_clustering'


def kmeans_pseudo_labels(feats: torch.Tensor,
                         num_clusters: int,
                         niter: int = 20,
                         seed: int = 0,
                         use_gpu: Optional[bool] = None) -> torch.Tensor:
    """faiss k-means of ``(N, d)`` features -> ``(N,)`` cluster ids.

    Uses a faiss GPU index when ``use_gpu`` is True, or None and faiss sees a
    GPU (faiss-gpu build); otherwise the CPU one. Deterministic for a given
    ``seed`` on CPU. faiss trains on at most ``256 * num_clusters`` sampled
    points and then assigns every point to its nearest centroid.
    """
    import faiss
    feats = feats.detach().float().cpu().numpy()
    n = len(feats)
    if n < num_clusters:
        raise ValueError(
            f'cannot cluster {n} images into {num_clusters} clusters; lower '
            'num_clusters (and the head num_clusters) below the training '
            'set size.')
    num_gpus = faiss.get_num_gpus() if hasattr(faiss, 'get_num_gpus') else 0
    if use_gpu and num_gpus == 0:
        warnings.warn('use_gpu=True but faiss sees no GPU (faiss-cpu build '
                      'or no CUDA device); clustering on the CPU.')
    gpu = bool((use_gpu or use_gpu is None) and num_gpus > 0)
    assign = kmeans_assign(
        feats,
        num_clusters,
        seed=seed,
        niter=niter,
        nredo=1,
        gpu=gpu,
        max_points_per_centroid=256)
    return torch.from_numpy(assign)


@HOOKS.register_module()
class SCAClusteringHook(Hook):
    """Cluster the training set at each epoch start (SCA memory bank).

    *SCA* Sec. 2.1: at the beginning of each epoch the representation
    vectors ``z = theta(T(I))`` of every training image are computed with the
    current encoder into a memory bank, which k-means clusters into ``C``
    classes; each image's cluster is its pseudo-label.

    * Embedding: the model (eval mode, no grad) runs ``feature_fn``
      (``extract_embedding`` of :class:`SwAVSCA` / :class:`SimSiamSCA`: the
      ``d = 128`` SwAV projection) over ``dataloader``, which must list the
      same images in the same order as the training set. Each batch's
      embeddings go to the CPU at once. Distributed: each rank embeds its
      shard (``DefaultSampler(shuffle=False)``) and sends the ``(index, z)``
      shard to rank 0 over a gloo group (:func:`gather_memory_bank`); only
      rank 0 builds the bank and runs k-means, and the labels are broadcast.
    * Memory: the bank is ``N x d`` float32 = ``4 d N`` bytes on rank 0's
      CPU only (d=128: 0.5 MB per 1k images, 655 MB for ImageNet-1K's
      1.28M; SimSiam's d=2048: 10.5 GB), plus the largest other shard while
      gathering and faiss's training sample (at most ``256 C`` points)
      while clustering; the other ranks hold their own shard only, no rank
      uses accelerator memory beyond one batch. The bank's bytes, the
      gather's peak and the process's peak RSS are logged; the bank is
      freed after each clustering.
    * k-means: faiss (:func:`kmeans_pseudo_labels`), GPU index when faiss
      has one, seeded with ``seed + epoch``; features L2-normalised first
      (``normalize``).
    * Cluster ids: k-means numbers its clusters arbitrarily at each run,
      while the explanation classifier of Eq. 6 keeps its weights across
      epochs. With ``align_ids`` each clustering after the first (or after
      the restored one, on ``--resume``) is renumbered one-to-one to agree
      best with the previous labels (:func:`align_cluster_ids`, Hungarian
      matching of the contingency matrix); the partition is unchanged.
    * The labels go to the training set's :class:`SCAPositiveDataset` (for
      the positives and the classifier targets) and are kept by the hook.
      They are saved in the checkpoint under ``'sca_clustering'`` as plain
      tensors / ints (``weights_only``-safe) and restored by ``--resume``,
      so a resumed run samples with the same pseudo-labels until its next
      clustering.

    Args:
        dataloader (dict | DataLoader): loader of the training images for
            the embedding, e.g. ``dict(batch_size=256, num_workers=8,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate'), dataset=...)``.
        num_clusters (int): ``C`` (3000 ImageNet-1K, 50 / 150 ImageNet-50).
        interval (int): cluster every ``interval`` epochs. Defaults to 1.
        niter (int): k-means iterations. Defaults to 20.
        seed (int): k-means seed (plus the epoch). Defaults to 0.
        normalize (bool): L2-normalise ``z`` before k-means. Defaults to
            True.
        feature_fn (str): model method ``(N, 3, H, W) -> (N, d)``.
            Defaults to ``'extract_embedding'``.
        use_gpu (bool, optional): faiss GPU index; None means auto.
        align_ids (bool): renumber each new partition to match the last
            one (see above). Defaults to True.
    """
    priority = 'VERY_HIGH'

    def __init__(self,
                 dataloader: Union[dict, DataLoader],
                 num_clusters: int,
                 interval: int = 1,
                 niter: int = 20,
                 seed: int = 0,
                 normalize: bool = True,
                 feature_fn: str = 'extract_embedding',
                 use_gpu: Optional[bool] = None,
                 align_ids: bool = True) -> None:
        if not isinstance(num_clusters, int) or num_clusters < 2:
            raise ValueError(f'num_clusters must be an int >= 2, got '
                             f'{num_clusters!r}.')
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval must be a positive int, got '
                             f'{interval!r}.')
        self.dataloader = dataloader
        self.num_clusters = num_clusters
        self.interval = interval
        self.niter = niter
        self.seed = seed
        self.normalize = normalize
        self.feature_fn = feature_fn
        self.use_gpu = use_gpu
        self.align_ids = align_ids
        self.pseudo_labels: Optional[torch.Tensor] = None
        self.cluster_epoch = -1
        self.last_stats: dict = {}

    # ------------------------------------------------------------ hooks
    def before_train_epoch(self, runner) -> None:
        if self.pseudo_labels is not None and (
                runner.epoch == self.cluster_epoch
                or runner.epoch % self.interval):
            self._push(runner)  # restored (resume) or not yet due
            return
        self.cluster(runner)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.pseudo_labels is not None:
            checkpoint[CHECKPOINT_KEY] = dict(
                pseudo_labels=self.pseudo_labels.clone(),
                epoch=int(self.cluster_epoch),
                num_clusters=int(self.num_clusters))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(CHECKPOINT_KEY)
        if state is None:
            return
        if int(state['num_clusters']) != self.num_clusters:
            raise ValueError(
                f'the checkpoint was clustered into {state["num_clusters"]} '
                f'clusters but the hook has num_clusters={self.num_clusters}.')
        self.pseudo_labels = torch.as_tensor(
            state['pseudo_labels'], dtype=torch.long).clone()
        self.cluster_epoch = int(state['epoch'])
        self._push(runner)

    # ------------------------------------------------------------ work
    def cluster(self, runner) -> torch.Tensor:
        """Embed, gather on rank 0, k-means, align ids, broadcast.

        Returns the ``(N,)`` labels (on every rank).
        """
        start = time.perf_counter()
        stats: dict = {}
        num_images = len(self._get_loader(runner).dataset)
        labels = torch.full((num_images, ), -1, dtype=torch.long)
        bank, error = None, None
        # an error of rank 0 alone (missing images, k-means) reaches the
        # other ranks as labels -1 instead of leaving them in the broadcast
        try:
            bank = self._embed(runner, stats)
        except Exception as exc:
            if not is_main_process():
                raise
            error = exc
        embed_s = time.perf_counter() - start
        if is_main_process() and error is None:
            try:
                labels = self._cluster_bank(bank, runner.epoch, stats)
            except Exception as exc:
                error = exc
        del bank
        broadcast_labels(labels)
        if error is not None:
            raise error
        if int(labels.min()) < 0:
            raise RuntimeError('SCAClusteringHook: clustering failed on '
                               'rank 0; see its log for the error.')
        total_s = time.perf_counter() - start
        self.pseudo_labels = labels
        self.cluster_epoch = runner.epoch
        sizes = torch.bincount(labels, minlength=self.num_clusters)
        stats.update(
            num_images=num_images,
            embed_s=embed_s,
            total_s=total_s,
            non_empty_clusters=int((sizes > 0).sum()))
        self.last_stats = stats
        if is_main_process():
            runner.logger.info(self._summary(runner.epoch, stats))
        self._push(runner)
        return labels

    def _cluster_bank(self, bank: Optional[torch.Tensor], epoch: int,
                      stats: dict) -> torch.Tensor:
        """Rank 0: k-means of the ``(N, d)`` bank, ids aligned to the last
        clustering's."""
        if bank is None:
            raise RuntimeError('rank 0 holds no memory bank.')
        stats['dim'] = bank.shape[1]
        if self.normalize:  # in place: no second copy of the bank
            bank.div_(bank.norm(dim=1, keepdim=True).clamp_min_(1e-12))
        labels = kmeans_pseudo_labels(
            bank,
            self.num_clusters,
            niter=self.niter,
            seed=self.seed + epoch,
            use_gpu=self.use_gpu)
        stats['process_peak_rss_bytes'] = peak_rss_bytes()
        previous = self.pseudo_labels
        if previous is None or not self.align_ids:
            return labels
        if previous.shape != labels.shape:
            warnings.warn(f'SCAClusteringHook: the last clustering labelled '
                          f'{len(previous)} images, this one {len(labels)}; '
                          'cluster ids are not aligned.')
            return labels
        stats['ids_kept_unaligned'] = float(
            (labels == previous).float().mean())
        labels = align_cluster_ids(previous, labels, self.num_clusters)
        stats['ids_kept'] = float((labels == previous).float().mean())
        return labels

    def _summary(self, epoch: int, stats: dict) -> str:
        text = (f'SCA clustering at epoch {epoch}: {stats["num_images"]} '
                f'images x d={stats["dim"]} float32 bank = '
                f'{format_bytes(stats["bank_bytes"])} on rank 0 (CPU), '
                f'gather peak {format_bytes(stats["gather_peak_bytes"])}, '
                'process peak RSS '
                f'{format_bytes(stats["process_peak_rss_bytes"])}, '
                f'{stats["non_empty_clusters"]}/{self.num_clusters} '
                f'clusters used, {stats["total_s"]:.1f} s (embedding '
                f'{stats["embed_s"]:.1f} s)')
        if 'ids_kept' in stats:
            text += (f', ids kept by {100 * stats["ids_kept"]:.1f}% of the '
                     f'images ({100 * stats["ids_kept_unaligned"]:.1f}% '
                     'before alignment)')
        return text + '.'

    def _push(self, runner) -> None:
        if self.pseudo_labels is None:
            return
        # dataset wrappers (RepeatDataset, ...) are unwrapped
        dataset = find_positive_dataset(train_dataset(runner))
        if dataset is None:
            warnings.warn('SCAClusteringHook: the training set is not an '
                          'SCAPositiveDataset; pseudo-labels are kept by the '
                          'hook only.')
            return
        dataset.set_pseudo_labels(self.pseudo_labels, self.cluster_epoch)

    def _get_loader(self, runner) -> DataLoader:
        if not isinstance(self.dataloader, DataLoader):
            self.dataloader = runner.build_dataloader(self.dataloader)
        return self.dataloader

    def _embed(self, runner, stats: dict):
        """The ``(N, d)`` bank on rank 0 (None elsewhere)."""
        loader = self._get_loader(runner)
        model = unwrap_model(runner.model)
        if not hasattr(model, self.feature_fn):
            raise AttributeError(
                f'{type(model).__name__} has no method "{self.feature_fn}"; '
                'set feature_fn of SCAClusteringHook to a method returning '
                '(N, d) embeddings.')
        feature_fn = getattr(model, self.feature_fn)

        def embed(model, inputs, data_samples):
            # to the CPU batch by batch: the accelerator holds one batch
            feats = feature_fn(inputs).float().cpu()
            idx = [int(ds.metainfo['sample_idx']) for ds in data_samples]
            return zip(idx, feats)

        shard = run_over_loader(model, loader, embed, gather=None)
        idx = torch.tensor([i for i, _ in shard], dtype=torch.long)
        feats = [z for _, z in shard]
        # a rank without images still takes part in the gather
        feats = torch.stack(feats) if feats else torch.zeros(0, 0)
        return gather_memory_bank(feats, idx, len(loader.dataset), stats)


def format_bytes(num: int) -> str:
    """``1536 -> '1.5 KiB'``."""
    for unit in ('B', 'KiB', 'MiB'):
        if num < 1024:
            return f'{num:.4g} {unit}'
        num /= 1024
    return f'{num:.4g} GiB'


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (Linux ``ru_maxrss``)."""
    import resource
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
