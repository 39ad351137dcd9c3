"""AtomicCheckpointHook(save_best=...): a failed best save loses nothing."""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric
from mmengine.fileio import LocalBackend
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmssl_addons  # noqa: F401


class Toy(BaseModel):

    def __init__(self):
        super().__init__()
        self.w = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.w(inputs).squeeze(1)
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return [dict(score=float(o)) for o in out]


class Points(Dataset):

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return dict(inputs=torch.full((2, ), float(i)))


class EpochMetric(BaseMetric):
    """Improves every epoch, so every validation saves a new best."""
    offset = 0.

    def __init__(self):
        super().__init__()
        self.calls = 0

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        self.calls += 1
        return dict(acc=self.offset + self.calls)


def build_runner(work_dir, max_epochs, resume=False):
    loader = dict(
        dataset=Points(),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=2,
        collate_fn=dict(type='default_collate'))
    return Runner(
        model=Toy(),
        work_dir=str(work_dir),
        train_dataloader=loader,
        val_dataloader=loader,
        val_evaluator=[EpochMetric()],
        resume=resume,
        custom_hooks=[dict(type='mmpretrain.SafeCheckpointHook')],
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(
            checkpoint=dict(
                type='mmpretrain.AtomicCheckpointHook',
                interval=1,
                max_keep_ckpts=1,
                save_best='acc',
                rule='greater')),
        default_scope='mmpretrain')


def test_best_is_replaced_only_after_the_new_one_is_complete(
        tmp_path, monkeypatch):
    runner = build_runner(tmp_path, 2)
    runner.train()
    bests = glob.glob(osp.join(tmp_path, 'best_acc_epoch_*.pth'))
    assert [osp.basename(b) for b in bests] == ['best_acc_epoch_2.pth']
    best = torch.load(bests[0], weights_only=True)
    assert best['meta']['epoch'] == 2

    # the next best save dies half-way: the previous best must survive
    EpochMetric.offset = 10.
    runner = build_runner(tmp_path, 3, resume=True)
    real_put = LocalBackend.put

    def dying_put(self, obj, filepath):
        if 'best_acc_epoch_3' in str(filepath):
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise KeyboardInterrupt('killed during the best save')
        return real_put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', dying_put)
    with pytest.raises(KeyboardInterrupt):
        runner.train()
    monkeypatch.setattr(LocalBackend, 'put', real_put)
    assert osp.isfile(osp.join(tmp_path, 'best_acc_epoch_2.pth'))
    assert not osp.exists(osp.join(tmp_path, 'best_acc_epoch_3.pth'))
    assert torch.load(
        osp.join(tmp_path, 'best_acc_epoch_2.pth'),
        weights_only=True)['meta']['epoch'] == 2
    assert glob.glob(osp.join(tmp_path, 'best_*.tmp'))
    # a resumed run removes the partial file and saves the new best
    EpochMetric.offset = 20.
    build_runner(tmp_path, 4, resume=True).train()
    names = sorted(
        osp.basename(p) for p in glob.glob(osp.join(tmp_path, 'best_*')))
    assert names == ['best_acc_epoch_4.pth']  # no .tmp, old best gone
    EpochMetric.offset = 0.
