"""SCAClusteringHook pieces: k-means, shard gathering, checkpoint state."""
import pytest
import torch
from mmengine.model import BaseModel
from mmpretrain.models import SelfSupDataPreprocessor
from mmpretrain.structures import DataSample
from torch import nn
from torch.utils.data import DataLoader, Dataset

import mmssl_addons  # noqa: F401
from mmssl_addons.engine import SCAClusteringHook
from mmssl_addons.engine.hooks import sca_clustering_hook as mod


def blobs(seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.eye(8)[:3] * 10
    truth = torch.arange(60) % 3
    return centres[truth] + 0.1 * torch.randn(60, 8, generator=g), truth


def test_kmeans_recovers_blobs_and_is_seeded():
    feats, truth = blobs()
    labels = mod.kmeans_pseudo_labels(feats, 3, niter=10, seed=0)
    assert labels.shape == (60, ) and labels.dtype == torch.long
    # same partition as the truth, up to a permutation of cluster ids
    for c in range(3):
        assert labels[truth == c].unique().numel() == 1
    assert labels.unique().numel() == 3
    again = mod.kmeans_pseudo_labels(feats, 3, niter=10, seed=0)
    assert torch.equal(labels, again)
    with pytest.raises(ValueError, match='cannot cluster 60 images'):
        mod.kmeans_pseudo_labels(feats, 61)
    with pytest.warns(UserWarning, match='no GPU'):
        mod.kmeans_pseudo_labels(feats, 3, niter=2, use_gpu=True)


def test_checkpoint_state_round_trip_and_errors():
    hook = SCAClusteringHook(dataloader=dict(), num_clusters=4)
    ckpt = {}
    hook.before_save_checkpoint(None, ckpt)
    assert ckpt == {}  # nothing clustered yet
    hook.pseudo_labels = torch.tensor([0, 3, 1, 1])
    hook.cluster_epoch = 2
    hook.before_save_checkpoint(None, ckpt)
    saved = ckpt['sca_clustering']
    assert set(saved) == {'pseudo_labels', 'epoch', 'num_clusters'}
    assert all(isinstance(v, (torch.Tensor, int)) for v in saved.values())

    class Runner:
        _train_loop = None

    fresh = SCAClusteringHook(dataloader=dict(), num_clusters=4)
    with pytest.warns(UserWarning, match='not an SCAPositiveDataset'):
        fresh.after_load_checkpoint(Runner(), ckpt)
    assert torch.equal(fresh.pseudo_labels, hook.pseudo_labels)
    assert fresh.cluster_epoch == 2
    with pytest.raises(ValueError, match='num_clusters=5'):
        SCAClusteringHook(dict(), 5).after_load_checkpoint(Runner(), ckpt)
    with pytest.raises(ValueError, match='num_clusters'):
        SCAClusteringHook(dict(), 1)
    with pytest.raises(ValueError, match='interval'):
        SCAClusteringHook(dict(), 4, interval=0)


class BlobImages(Dataset):
    """``(3, 2, 2)`` images whose pixels are the 3-d points of 3 blobs."""

    def __init__(self, num=23):
        g = torch.Generator().manual_seed(3)
        truth = torch.arange(num) % 3
        points = torch.eye(3)[truth] * 5 + 0.3 * torch.randn(
            num, 3, generator=g)
        self.imgs = points[:, :, None, None].expand(-1, -1, 2, 2).clone()

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, idx):
        return dict(
            inputs=self.imgs[idx],
            data_samples=DataSample(metainfo=dict(sample_idx=idx)))


class PoolModel(BaseModel):
    """``extract_embedding``: a 1x1 conv of the image, pooled."""

    def __init__(self):
        super().__init__(data_preprocessor=SelfSupDataPreprocessor())
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 1)

    def extract_embedding(self, inputs):
        return self.conv(inputs).mean(dim=(2, 3))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.extract_embedding(inputs)


class StandInRunner:
    """What the hook reads of a runner (a real Runner would wrap the CPU
    model in DDP with ``device_ids``, which torch rejects on CPU)."""

    def __init__(self, model, epoch=0):
        from mmengine.logging import MMLogger
        self.model, self.epoch = model, epoch
        self.logger = MMLogger.get_instance(f'sca_hook_{id(self)}')
        self._train_loop = None


def blob_loader(world_size=1, rank=0):
    from mmengine.dataset import DefaultSampler, default_collate
    dataset = BlobImages()
    sampler = DefaultSampler(dataset, shuffle=False)
    if world_size > 1:  # DefaultSampler reads the initialised group
        assert (sampler.world_size, sampler.rank) == (world_size, rank)
    return DataLoader(
        dataset, batch_size=4, sampler=sampler, collate_fn=default_collate)


def run_hook(world_size=1, rank=0, previous=None):
    hook = SCAClusteringHook(
        dataloader=blob_loader(world_size, rank), num_clusters=3, niter=10)
    hook.pseudo_labels = previous
    with pytest.warns(UserWarning, match='not an SCAPositiveDataset'):
        labels = hook.cluster(StandInRunner(PoolModel()))
    return hook, labels


def test_cluster_aligns_ids_to_the_previous_clustering():
    hook, first = run_hook()
    assert 'ids_kept' not in hook.last_stats  # nothing to align to
    shuffled = torch.tensor([2, 0, 1])[first]  # same partition, new ids
    hook, again = run_hook(previous=shuffled)
    assert torch.equal(again, shuffled)  # k-means' own ids undone
    assert hook.last_stats['ids_kept'] == 1.0
    assert hook.last_stats['ids_kept_unaligned'] < 1.0
    unaligned = SCAClusteringHook(
        dataloader=blob_loader(), num_clusters=3, niter=10, align_ids=False)
    unaligned.pseudo_labels = shuffled
    with pytest.warns(UserWarning):
        assert torch.equal(
            unaligned.cluster(StandInRunner(PoolModel())), first)
    stats = hook.last_stats
    assert stats['bank_bytes'] == 23 * 4 * 4  # N x d float32
    # one process: bank + coverage mask + its own shard (feats + ids)
    assert stats['gather_peak_bytes'] == 23 * 16 + 23 + 23 * 16 + 23 * 8


def _two_rank_check(rank, expected):
    import torch.distributed as torch_dist

    # gather_memory_bank: rank 0 holds 0, 2, 4, rank 1 holds 1, 3 and a
    # round-up duplicate of 0; the bank is the rows by index, on rank 0 only
    rows = torch.arange(10.).view(5, 2)
    idx = torch.tensor([[0, 2, 4], [1, 3, 0]])[rank]
    stats = {}
    bank = mod.gather_memory_bank(rows[idx], idx, 5, stats)
    if rank == 0:
        torch.testing.assert_close(bank, rows)
        assert stats['bank_bytes'] == 5 * 2 * 4
        # bank + mask + own shard + the one received shard
        assert stats['gather_peak_bytes'] == 40 + 5 + (24 + 24) * 2
    else:
        assert bank is None and stats == {}
    # a missing image fails on rank 0 and no rank hangs
    if rank == 0:
        with pytest.raises(RuntimeError, match='embedded 4 of 5'):
            mod.gather_memory_bank(rows[idx], idx, 5)
    else:
        mod.gather_memory_bank(rows[[1]], torch.tensor([1]), 5)

    calls = []
    real_kmeans = mod.kmeans_pseudo_labels

    def spy(bank, *args, **kwargs):
        calls.append(tuple(bank.shape))
        return real_kmeans(bank, *args, **kwargs)

    mod.kmeans_pseudo_labels = spy
    hook, labels = run_hook(2, rank)
    assert torch.equal(labels, expected)  # the single-process labels
    if rank == 0:  # only rank 0 builds the (N, d) bank and clusters it
        assert calls == [(23, 4)]
        assert hook.last_stats['bank_bytes'] == 23 * 4 * 4
    else:
        assert calls == [] and 'bank_bytes' not in hook.last_stats

    # rank 1 embeds nothing: rank 0 finds the missing images and every rank
    # raises instead of waiting
    loader = blob_loader(2, rank)
    if rank == 1:
        loader = DataLoader(
            loader.dataset, sampler=[], collate_fn=loader.collate_fn)
    hook = SCAClusteringHook(dataloader=loader, num_clusters=3)
    match = 'embedded 12 of 23' if rank == 0 else 'failed on rank 0'
    with pytest.raises(RuntimeError, match=match):
        hook.cluster(StandInRunner(PoolModel()))
    torch_dist.barrier()


def _two_rank_worker(rank, port, expected):
    import datetime

    import torch.distributed as torch_dist
    torch_dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=2,
        timeout=datetime.timedelta(seconds=120))
    try:
        _two_rank_check(rank, expected)
    finally:
        torch_dist.destroy_process_group()


@pytest.mark.skipif(
    not torch.distributed.is_available(),
    reason='needs torch.distributed (gloo)')
def test_two_gloo_ranks_gather_on_rank0_and_match_one_process():
    import socket

    import torch.multiprocessing as mp
    _, expected = run_hook()
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    mp.spawn(_two_rank_worker, args=(port, expected), nprocs=2)
