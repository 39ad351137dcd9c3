import uuid

import pytest
import torch
from torch import nn

pytest.importorskip('mmpretrain')

from mmengine.model import BaseModel  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmpretrain.models import SelfSupDataPreprocessor  # noqa: E402
from mmpretrain.registry import DATASETS, HOOKS  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402
from torch.utils.data import Dataset  # noqa: E402

from mmssl_addons.engine import KNNMonitorHook  # noqa: E402
from mmssl_addons.engine.hooks import knn_monitor_hook  # noqa: E402
from mmssl_addons.evaluation.functional import knn_accuracy  # noqa: E402


@DATASETS.register_module(force=True)
class ToyKNNDataset(Dataset):
    """Images (3, 4, 4) whose channel means are noisy class prototypes."""
    metainfo = dict(classes=('a', 'b', 'c'))

    def __init__(self, num=20, seed=0, noise=0.1):
        g = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, 3, (num, ), generator=g)
        protos = torch.eye(3)[self.labels] + noise * torch.randn(
            num, 3, generator=g)
        self.imgs = protos[:, :, None, None] + 0.01 * torch.randn(
            num, 3, 4, 4, generator=g)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return dict(
            inputs=self.imgs[idx],
            data_samples=DataSample().set_gt_label(int(self.labels[idx])))


class ToyModel(BaseModel):

    def __init__(self):
        super().__init__(data_preprocessor=SelfSupDataPreprocessor())
        self.conv = nn.Conv2d(3, 3, 1)
        self.feat_calls = []  # (method, training) per call

    def extract_feat(self, inputs):
        self.feat_calls.append(('extract_feat', self.training))
        # Multi-stage output; the last stage is a (N, C, H, W) map.
        return self.conv(inputs), inputs.clone()

    def extract_pooled_feat(self, inputs):
        self.feat_calls.append(('extract_pooled_feat', self.training))
        return -inputs.mean(dim=(2, 3))  # kNN on -x is like on x

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return dict(loss=self.conv(inputs).pow(2).mean())


def loader_cfg(**dataset):
    return dict(
        dataset=dict(type='ToyKNNDataset', **dataset),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=6,
        num_workers=0,
        collate_fn=dict(type='default_collate'))


def make_runner(tmp_path, hook, max_epochs=1, by_epoch=True):
    train_cfg = dict(by_epoch=True, max_epochs=max_epochs) if by_epoch \
        else dict(type='IterBasedTrainLoop', max_iters=8)
    return Runner(
        model=ToyModel(),
        work_dir=str(tmp_path),
        experiment_name=f'knn_hook_{uuid.uuid4().hex}',
        train_dataloader=dict(
            loader_cfg(num=16, seed=9),
            batch_size=4,
            sampler=dict(type='DefaultSampler', shuffle=True)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=train_cfg,
        custom_hooks=[hook],
        default_hooks=dict(checkpoint=None),
        default_scope='mmpretrain')


def expected_top1(train_kw, val_kw, k):
    train, val = ToyKNNDataset(**train_kw), ToyKNNDataset(**val_kw)
    return knn_accuracy(
        train.imgs.mean(dim=(2, 3)),
        train.labels,
        val.imgs.mean(dim=(2, 3)),
        val.labels,
        3,
        k=k,
        topk=(1, ))['top1']


def test_pool_features():
    x = torch.randn(2, 5, 3, 3)
    torch.testing.assert_close(
        knn_monitor_hook.pool_features((x[:, :1], x)), x.mean((2, 3)))
    assert knn_monitor_hook.pool_features(torch.ones(2, 5)).shape == (2, 5)
    with pytest.raises(ValueError, match='feature_fn'):
        knn_monitor_hook.pool_features(torch.ones(2, 5, 7))


def test_registered():
    hook = HOOKS.build(
        dict(type='KNNMonitorHook', train_dataloader={}, val_dataloader={}))
    assert isinstance(hook, KNNMonitorHook)


@pytest.mark.parametrize('noise', [0.1, 1.5])
def test_runner_one_epoch(tmp_path, noise):
    train_kw = dict(num=23, seed=1, noise=noise)
    val_kw = dict(num=17, seed=2, noise=noise)
    hook = dict(
        type='KNNMonitorHook',
        train_dataloader=loader_cfg(**train_kw),
        val_dataloader=loader_cfg(**val_kw),
        num_classes=3,
        k=5,
        progress=True)
    runner = make_runner(tmp_path, hook)
    runner.train()
    top1 = runner.message_hub.get_scalar('knn/top1')
    assert top1.current() == pytest.approx(
        expected_top1(train_kw, val_kw, k=5))
    if noise == 0.1:
        assert top1.current() == 100.
    # 16 train samples / 4 -> 4 training iterations run in train mode,
    # then ceil(23 / 6) + ceil(17 / 6) = 7 extraction batches in eval mode.
    calls = runner.model.feat_calls
    assert calls == [('extract_feat', False)] * 7
    assert runner.model.training  # restored


def test_feature_fn_interval_and_restore(tmp_path):
    train_kw = dict(num=12, seed=3, noise=1.5)
    val_kw = dict(num=9, seed=4, noise=1.5)
    hook = KNNMonitorHook(
        loader_cfg(**train_kw),
        loader_cfg(**val_kw),
        interval=2,
        k=200,  # clipped to 12 with a warning
        feature_fn='extract_pooled_feat')
    runner = make_runner(tmp_path, hook, max_epochs=3)
    with pytest.warns(UserWarning, match='using k=12'):
        runner.train()
    top1 = runner.message_hub.get_scalar('knn/top1')
    assert len(top1.data[0]) == 1  # only after epoch 2 of 3
    assert top1.current() == pytest.approx(
        expected_top1(train_kw, val_kw, k=12))
    assert {c[0] for c in runner.model.feat_calls} == {'extract_pooled_feat'}

    # Direct call: eval mode during extraction, caller's mode restored.
    for mode in (True, False):
        runner.model.train(mode)
        runner.model.feat_calls.clear()
        metrics = hook.evaluate(runner)
        assert runner.model.training is mode
        assert set(runner.model.feat_calls) == {('extract_pooled_feat', False)}
        assert metrics == {'knn/top1': top1.current()}


def test_by_iter(tmp_path):
    hook = KNNMonitorHook(
        loader_cfg(num=10, seed=5),
        loader_cfg(num=8, seed=6),
        num_classes=3,
        k=3,
        interval=3,
        by_epoch=False)
    runner = make_runner(tmp_path, hook, by_epoch=False)
    runner.train()
    # 8 iterations, every 3rd -> after iterations 3 and 6.
    assert len(runner.message_hub.get_scalar('knn/top1').data[0]) == 2


def test_bad_feature_fn(tmp_path):
    hook = KNNMonitorHook(
        loader_cfg(num=4), loader_cfg(num=4), feature_fn='nope')
    runner = make_runner(tmp_path, hook)
    with pytest.raises(AttributeError, match='feature_fn'):
        runner.train()


class _StandInRunner:
    """Just what the hook uses; a real Runner would wrap the CPU model in
    DDP with ``device_ids=[LOCAL_RANK]``, which torch rejects on CPU."""

    def __init__(self, model, name):
        from mmengine.logging import MessageHub, MMLogger
        from mmengine.registry import DefaultScope
        from mmengine.visualization import Visualizer
        DefaultScope.get_instance(name, scope_name='mmpretrain')
        self.model = model
        self.build_dataloader = Runner.build_dataloader
        self.message_hub = MessageHub.get_instance(name)
        self.logger = MMLogger.get_instance(name)
        self.visualizer = Visualizer.get_instance(name)
        self.epoch, self.iter = 0, 0


def _dist_check(rank, train_kw, val_kw, expected, name):
    from mmengine.model import MMDistributedDataParallel
    model = MMDistributedDataParallel(module=ToyModel())
    runner = _StandInRunner(model, name)
    hook = KNNMonitorHook(
        loader_cfg(**train_kw), loader_cfg(**val_kw), num_classes=3, k=5)
    feats = hook._extract(runner, 'val')
    if rank == 0:  # gathered in dataset order, padding dropped
        val = ToyKNNDataset(**val_kw)
        torch.testing.assert_close(feats[0], val.imgs.mean(dim=(2, 3)))
        assert torch.equal(feats[1], val.labels)
    else:
        assert feats is None
    model.train()
    assert hook.evaluate(runner) == {'knn/top1': expected}  # on all ranks
    assert model.training and model.module.training


def _dist_worker(rank, world_size, port, train_kw, val_kw, expected):
    import datetime
    import gc

    import torch.distributed as torch_dist
    torch_dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=120))
    try:
        _dist_check(rank, train_kw, val_kw, expected, f'knn_dist_{port}')
    finally:
        # Free the DDP wrapper before its process group: the other order
        # can hang in the reducer's destructor.
        gc.collect()
        torch_dist.barrier()
        torch_dist.destroy_process_group()


@pytest.mark.skipif(
    not torch.distributed.is_available(),
    reason='needs torch.distributed (gloo)')
def test_distributed_two_ranks():
    import socket

    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    # 23 and 17 samples do not split evenly: DefaultSampler pads each rank.
    train_kw = dict(num=23, seed=1, noise=1.5)
    val_kw = dict(num=17, seed=2, noise=1.5)
    expected = expected_top1(train_kw, val_kw, k=5)
    mp.spawn(
        _dist_worker, args=(2, port, train_kw, val_kw, expected), nprocs=2)
