"""run_over_loader against a naive loop: eval mode, preprocessing, first
view, dataset order on every rank."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, default_collate
from PIL import Image
from torch.utils.data import DataLoader

from mmssl_addons.evaluation.inference import (dataset_order, run_over_loader,
                                               select_view)
from mmssl_addons.evaluation.pooling import pool_features

NUM = 7  # uneven over 2 ranks: DefaultSampler pads one rank
FLIP = dict(type='RandomFlip', prob=1., direction='horizontal')


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """``NUM`` random 32 x 32 RGB images."""
    root = tmp_path_factory.mktemp('images')
    rng = np.random.default_rng(0)
    for k in range(NUM):
        img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        Image.fromarray(img).save(osp.join(root, f'img_{k}.png'))
    return str(root)


def dataset(root, *transforms, views=None):
    """Images through ``transforms``; ``views``: a ``MultiView`` of one
    view per transform list."""
    from mmpretrain.registry import DATASETS
    pipeline = [dict(type='LoadImageFromFile'), *transforms]
    if views is not None:
        pipeline.append(
            dict(
                type='MultiView', num_views=[1] * len(views),
                transforms=views))
    return DATASETS.build(
        dict(
            type='CustomDataset',
            data_root=root,
            with_label=False,
            pipeline=pipeline + [dict(type='PackInputs')]))


def tiny_model():
    """mmpretrain's SimCLR on a ResNet-18 of 8 base channels (no neck or
    head); BN running statistics moved by one training batch, left in train
    mode."""
    from mmpretrain.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='SimCLR',
            backbone=dict(
                type='ResNet', depth=18, stem_channels=8, base_channels=8),
            neck=None,
            head=None,
            data_preprocessor=dict(
                type='SelfSupDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                to_rgb=True)))
    with torch.no_grad():
        model.train()
        model.extract_feat(torch.randn(4, 3, 32, 32))
    return model


def pooled(model, inputs, data_samples):
    return pool_features(model.extract_feat(inputs))


def naive_features(model, data, batch_size=3):
    """Eval mode, preprocess, first view, one batch at a time, in order."""
    model.eval()
    loader = DataLoader(
        data, batch_size=batch_size, shuffle=False, collate_fn=default_collate)
    feats = []
    with torch.no_grad():
        for batch in loader:
            inputs = model.data_preprocessor(batch, False)['inputs']
            if isinstance(inputs, list):
                inputs = inputs[0]
            feats.append(model.extract_feat(inputs)[-1].mean((2, 3)))
    return torch.cat(feats)


def loader(data, shuffle=False, batch_size=3):
    return DataLoader(
        data,
        batch_size=batch_size,
        sampler=DefaultSampler(data, shuffle=shuffle, seed=1),
        collate_fn=default_collate)


def test_matches_the_naive_loop_and_restores_the_mode(images):
    model = tiny_model()
    data = dataset(images)
    expected = naive_features(tiny_model(), data)
    seen = []

    def fn(model, inputs, data_samples):
        seen.append((model.training, model.backbone.norm1.training,
                     torch.is_grad_enabled()))
        return pooled(model, inputs, data_samples)

    out = run_over_loader(model, loader(data), fn)
    assert torch.equal(torch.stack(out), expected)
    assert set(seen) == {(False, False, False)}  # eval, no grad
    assert model.training  # train mode restored, every module
    assert all(m.training for m in model.modules())
    model.eval()
    run_over_loader(model, loader(data), fn)
    assert not any(m.training for m in model.modules())  # eval kept


def test_dataset_order_with_a_shuffling_sampler(images):
    model = tiny_model()
    data = dataset(images)
    expected = naive_features(tiny_model(), data)
    order = []

    def fn(model, inputs, data_samples):
        order.extend(s.sample_idx for s in data_samples)
        return pooled(model, inputs, data_samples)

    shuffled = loader(data, shuffle=True)
    out = run_over_loader(model, shuffled, fn)
    assert sorted(order) == list(range(NUM)) and order != sorted(order)
    torch.testing.assert_close(torch.stack(out), expected)
    assert torch.stack(run_over_loader(model, shuffled, fn,
                                       gather='rank0')).shape == (NUM, 64)
    # gather=None: this process's outputs in its loader's order
    local = run_over_loader(model, shuffled, fn, gather=None)
    torch.testing.assert_close(torch.stack(local), expected[order[-NUM:]])


def test_first_view_of_a_multiview_pipeline(images):
    model = tiny_model()
    plain = naive_features(tiny_model(), dataset(images))
    flipped = naive_features(tiny_model(), dataset(images, FLIP))
    assert not torch.allclose(plain, flipped)
    two_views = dataset(images, views=[[], [FLIP]])
    torch.testing.assert_close(naive_features(tiny_model(), two_views), plain)
    out = run_over_loader(model, loader(two_views), pooled)
    assert torch.equal(torch.stack(out), plain)
    out = run_over_loader(model, loader(two_views), pooled, view=1)
    torch.testing.assert_close(torch.stack(out), flipped)
    with pytest.raises(ValueError, match='must not use MultiView'):
        run_over_loader(model, loader(two_views), pooled, view=None)
    one_view = dataset(images, views=[[FLIP]])
    out = run_over_loader(model, loader(one_view), pooled, view=None)
    torch.testing.assert_close(torch.stack(out), flipped)


def test_errors_and_helpers():
    x = torch.zeros(2, 3, 4, 4)
    assert select_view(x) is x and select_view([x, x + 1], 1)[0, 0, 0, 0] == 1
    with pytest.raises(ValueError, match='one output'):
        run_over_loader(tiny_model(),
                        [dict(inputs=x.byte(), data_samples=None)],
                        lambda m, inputs, s: [None, None])
    with pytest.raises(ValueError, match='gather'):
        run_over_loader(tiny_model(), [], pooled, gather='rank1')
    # padding repeats dropped; an index missing keeps the given order
    assert dataset_order([(1, 'b'), (0, 'a'), (1, 'b')], 2) == ['a', 'b']
    assert dataset_order([(2, 'c'), (0, 'a')], 3) == ['c', 'a']
    assert dataset_order([(None, 'b'), (0, 'a')], 2) == ['b', 'a']


def _two_rank_check(rank, root, expected):
    import torch.distributed as torch_dist
    data = dataset(root)
    shard = loader(data, shuffle=True, batch_size=2)
    assert len(shard.sampler) == 4  # 7 images: one padding repeat
    model = tiny_model()
    for device in ('cpu', 'gpu'):  # tmpdir / all_gather_object
        out = run_over_loader(model, shard, pooled, collect_device=device)
        torch.testing.assert_close(torch.stack(out), expected)
    out = run_over_loader(model, shard, pooled, gather='rank0')
    assert (out is None) == (rank == 1)
    assert model.training
    torch_dist.barrier()


def _two_rank_worker(rank, port, root, expected, cwd):
    import datetime

    import torch.distributed as torch_dist
    from mmengine.registry import init_default_scope
    os.chdir(cwd)  # collect_results' temporary folder
    init_default_scope('mmpretrain')
    torch_dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=2,
        timeout=datetime.timedelta(seconds=120))
    try:
        _two_rank_check(rank, root, expected)
    finally:
        torch_dist.destroy_process_group()


@pytest.mark.skipif(
    not torch.distributed.is_available(),
    reason='needs torch.distributed (gloo)')
def test_two_gloo_ranks_get_every_output_in_dataset_order(images, tmp_path):
    import socket

    import torch.multiprocessing as mp
    expected = naive_features(tiny_model(), dataset(images))
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    mp.spawn(
        _two_rank_worker,
        args=(port, images, expected, str(tmp_path)),
        nprocs=2)
