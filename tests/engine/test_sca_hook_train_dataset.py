"""SCAClusteringHook finds the training set by runner.train_dataloader."""
import pytest
import torch
from mmengine.dataset import BaseDataset, RepeatDataset
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from torch import nn
from torch.utils.data import DataLoader

import mmssl_addons  # noqa: F401
from mmssl_addons.datasets import SCAPositiveDataset
from mmssl_addons.engine import SCAClusteringHook

VIEW = [dict(type='RandomResizedCrop', scale=16, backend='pillow')]
PIPELINE = [
    dict(type='CheckedLoadImageFromFile'),
    dict(type='MultiView', num_views=1, transforms=[VIEW]),
    dict(type='PackInputs')
]
POSITIVE = [
    dict(type='CheckedLoadImageFromFile'), *VIEW,
    dict(type='PackInputs')
]
CKPT = dict(
    sca_clustering=dict(
        pseudo_labels=torch.tensor([0, 0, 1, 1, 2, 2, 3, 3]),
        epoch=3,
        num_clusters=4))


class WrappablePositives(SCAPositiveDataset, BaseDataset):
    """An SCAPositiveDataset that mmengine's wrappers accept."""


def positives(root):
    init_default_scope('mmpretrain')
    return WrappablePositives(
        dict(type='FineGrainedCUB', data_root=root, split='train'),
        pipeline=PIPELINE,
        positive_pipeline=POSITIVE)


class TrainingRunner:
    """What ``runner.train()`` offers the hook: the built optimizer wrapper
    and the public ``train_dataloader``."""

    def __init__(self, dataset):
        self.optim_wrapper = OptimWrapper(
            torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1))
        self.train_dataloader = DataLoader(dataset)


def test_labels_reach_the_dataset_inside_a_repeat_dataset(tiny_cub):
    inner = positives(tiny_cub)
    wrapped = RepeatDataset(inner, times=3)
    assert len(wrapped) == 3 * len(inner)
    hook = SCAClusteringHook(dataloader=dict(), num_clusters=4)
    hook.after_load_checkpoint(TrainingRunner(wrapped), CKPT)
    assert torch.equal(
        inner.pseudo_labels,
        CKPT['sca_clustering']['pseudo_labels']) and inner.cluster_epoch == 3


def test_a_testing_runner_does_not_build_the_train_loop(tiny_cub, tmp_path):
    """``runner.test()`` loads the checkpoint with the train loop unbuilt:
    the hook leaves it so (and keeps the labels)."""
    from mmengine.model import BaseModel
    from mmengine.runner import Runner

    class Tiny(BaseModel):

        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(1))

        def forward(self, inputs, data_samples=None, mode='tensor'):
            return inputs

    loader = dict(
        batch_size=2,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='SCAPositiveDataset',
            dataset=dict(
                type='FineGrainedCUB', data_root=tiny_cub, split='train'),
            pipeline=PIPELINE,
            positive_pipeline=POSITIVE))
    hook = SCAClusteringHook(dataloader=dict(), num_clusters=4)
    runner = Runner(
        model=Tiny(),
        work_dir=str(tmp_path),
        train_dataloader=loader,
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        custom_hooks=[hook],
        default_scope='mmpretrain')
    with pytest.warns(UserWarning, match='not an SCAPositiveDataset'):
        runner.call_hook('after_load_checkpoint', checkpoint=CKPT)
    assert isinstance(runner._train_loop, dict)  # still unbuilt
    assert hook.cluster_epoch == 3
