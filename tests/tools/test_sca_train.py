"""SwAV + SCA through tools/train.py: clustering hook, checkpoint, resume."""
import os.path as osp
import subprocess
import sys

import pytest
import torch

TINY = '''
_base_ = {base!r}
data_root = {root!r}
view = [dict(type='RandomResizedCrop', scale=32, backend='pillow'),
        dict(type='RandomFlip', prob=0.5)]
small = [dict(type='RandomResizedCrop', scale=16, backend='pillow')]
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),
    neck=dict(in_channels=64, hid_channels=32, out_channels=16),
    head=dict(loss=dict(feat_dim=16, num_prototypes=10)),
    sca_head=dict(in_channels=64, num_clusters=4))
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='SCAPositiveDataset',
        dataset=dict(type='FineGrainedCUB', data_root=data_root,
                     split='train'),
        pipeline=[dict(type='CheckedLoadImageFromFile'),
                  dict(type='MultiView', num_views=[2, 2],
                       transforms=[view, small]),
                  dict(type='PackInputs')],
        positive_pipeline=[dict(type='CheckedLoadImageFromFile'), *view,
                           dict(type='PackInputs')],
        num_positives=2))
test_dataloader = dict(num_workers=0, dataset=dict(data_root=data_root))
train_cfg = dict(max_epochs={epochs})
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(type='SwAVHook', priority='VERY_HIGH', batch_size=4,
         crops_for_assign=[0, 1], feat_dim=16, queue_length=0),
    dict(type='SCAClusteringHook', num_clusters=4, niter=5,
         dataloader=dict(
             batch_size=4, num_workers=0,
             sampler=dict(type='DefaultSampler', shuffle=False),
             collate_fn=dict(type='default_collate'),
             dataset=dict(type='FineGrainedCUB', data_root=data_root,
                          split='train',
                          pipeline=[dict(type='CheckedLoadImageFromFile'),
                                    dict(type='Resize', scale=(32, 32)),
                                    dict(type='PackInputs')])))
]
'''

SIMSIAM = '''
_base_ = {base!r}
data_root = {root!r}
view = [dict(type='RandomResizedCrop', scale=32, backend='pillow')]
model = dict(
    backbone=dict(stem_channels=8, base_channels=8),
    neck=dict(in_channels=64, hid_channels=32, out_channels=32),
    head=dict(predictor=dict(in_channels=32, hid_channels=8,
                             out_channels=32)),
    sca_head=dict(in_channels=64, num_clusters=4))
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(
        dataset=dict(data_root=data_root),
        pipeline=[dict(type='CheckedLoadImageFromFile'),
                  dict(type='MultiView', num_views=2, transforms=[view]),
                  dict(type='PackInputs')],
        positive_pipeline=[dict(type='CheckedLoadImageFromFile'), *view,
                           dict(type='PackInputs')]))
test_dataloader = dict(num_workers=0, dataset=dict(data_root=data_root))
train_cfg = dict(max_epochs=1)
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(type='SimSiamHook', priority='HIGH', fix_pred_lr=True, lr=0.05),
    dict(type='SCAClusteringHook', num_clusters=4, niter=5,
         dataloader=dict(
             batch_size=4, num_workers=0,
             sampler=dict(type='DefaultSampler', shuffle=False),
             collate_fn=dict(type='default_collate'),
             dataset=dict(type='FineGrainedCUB', data_root=data_root,
                          split='train',
                          pipeline=[dict(type='CheckedLoadImageFromFile'),
                                    dict(type='Resize', scale=(32, 32)),
                                    dict(type='PackInputs')])))
]
'''


def run_train(repo_root, config, work):
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', config, '--work-dir', work],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    return log


def write_config(tmp_path, repo_root, root, epochs):
    path = tmp_path / f'tiny_sca_{epochs}.py'
    path.write_text(
        TINY.format(
            base=osp.join(repo_root, 'configs/sca/swav_sca_synthetic_demo.py'),
            root=root,
            epochs=epochs))
    return str(path)


@pytest.fixture(scope='module')
def first_run(repo_root, tiny_cub, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('sca')
    work = str(tmp / 'work')
    config = write_config(tmp, repo_root, tiny_cub, 1)
    return tmp, work, run_train(repo_root, config, work)


def test_train_clusters_and_saves_safe_pseudo_labels(first_run):
    _, work, log = first_run
    assert 'SCA clustering at epoch 0: 8 images x d=16' in log
    assert 'loss_sca_mu' in log and 'loss_sca_cls' in log
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    assert state['meta']['iter'] == 2
    saved = state['sca_clustering']
    labels = saved['pseudo_labels']
    assert isinstance(labels, torch.Tensor) and labels.dtype == torch.long
    assert labels.shape == (8, ) and 0 <= labels.min() and labels.max() < 4
    assert saved['epoch'] == 0 and saved['num_clusters'] == 4
    sd = state['state_dict']
    assert any(k.startswith('sca_head.attention') for k in sd)
    assert not any(k.startswith('backbone.') and 'sca' in k for k in sd)


def test_resume_restores_pseudo_labels(first_run, repo_root, tiny_cub):
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmssl_addons.datasets import find_positive_dataset
    from mmssl_addons.engine import SCAClusteringHook
    from mmssl_addons.utils import prepare_runner_config

    tmp, work, _ = first_run
    ckpt = osp.join(work, 'epoch_1.pth')
    saved = torch.load(ckpt, map_location='cpu', weights_only=True)
    labels = saved['sca_clustering']['pseudo_labels']

    class Args:
        launcher = 'none'
        work_dir = work
        resume = ckpt
        amp = False
        auto_scale_lr = False
        no_validate = False
        cfg_options = None

    cfg = Config.fromfile(write_config(tmp, repo_root, tiny_cub, 2))
    runner = Runner.from_cfg(prepare_runner_config(cfg, Args, True))
    # built before any hook runs, as train() does
    loader = runner.train_loop.dataloader
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.load_or_resume()
    assert runner.epoch == 1
    hook = next(h for h in runner.hooks if isinstance(h, SCAClusteringHook))
    assert torch.equal(hook.pseudo_labels, labels)
    assert hook.cluster_epoch == 0
    dataset = find_positive_dataset(loader.dataset)
    assert torch.equal(dataset.pseudo_labels, labels)
    assert dataset.cluster_epoch == 0
    # the next epoch re-clusters with the resumed encoder (seed + epoch)
    hook.before_train_epoch(runner)
    assert hook.cluster_epoch == 1 and dataset.cluster_epoch == 1


def best_agreement(previous, current, num_clusters):
    """Most images keeping their id over all renumberings (naive search)."""
    import itertools
    return max(
        int((torch.tensor(p)[current] == previous).sum())
        for p in itertools.permutations(range(num_clusters)))


def test_cluster_ids_survive_resume(first_run, repo_root, tiny_cub):
    """Resume from a checkpoint whose pseudo-labels carry other (equally
    valid) ids: the next clustering is numbered after the restored ids."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmssl_addons.engine import SCAClusteringHook
    from mmssl_addons.utils import prepare_runner_config

    tmp, work, _ = first_run
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    labels = state['sca_clustering']['pseudo_labels']
    restored = (labels + 1) % 4  # the same partition, renumbered
    state['sca_clustering']['pseudo_labels'] = restored
    ckpt = str(tmp / 'renumbered.pth')
    torch.save(state, ckpt)

    class Args:
        launcher = 'none'
        work_dir = str(tmp / 'resume_ids')
        resume = ckpt
        amp = False
        auto_scale_lr = False
        no_validate = False
        cfg_options = None

    cfg = Config.fromfile(write_config(tmp, repo_root, tiny_cub, 2))
    runner = Runner.from_cfg(prepare_runner_config(cfg, Args, True))
    runner.train_loop.dataloader
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.load_or_resume()
    hook = next(h for h in runner.hooks if isinstance(h, SCAClusteringHook))
    assert torch.equal(hook.pseudo_labels, restored)
    new = hook.cluster(runner)
    assert hook.cluster_epoch == 1
    assert int((new == restored).sum()) == best_agreement(restored, new, 4)
    assert hook.last_stats['ids_kept'] == float(
        (new == restored).float().mean())


def test_simsiam_sca_trains_with_clustering(repo_root, tiny_cub, tmp_path):
    config = tmp_path / 'tiny_simsiam_sca.py'
    config.write_text(
        SIMSIAM.format(
            base=osp.join(repo_root,
                          'configs/sca/simsiam_sca_synthetic_demo.py'),
            root=tiny_cub))
    work = str(tmp_path / 'work')
    log = run_train(repo_root, str(config), work)
    assert 'SCA clustering at epoch 0: 8 images x d=32' in log
    assert 'loss_sca_cls' in log
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    assert state['sca_clustering']['pseudo_labels'].shape == (8, )


def test_two_ranks_cluster_the_whole_set_like_one_process(
        repo_root, first_run, tiny_cub, tmp_path):
    """2 gloo ranks (tools/dist_train.sh): each rank embeds its shard, the
    gathered memory bank covers every image once and in order, so the
    epoch-0 pseudo-labels equal the single-process run's (same seed)."""
    import os
    _, single_work, _ = first_run
    config = write_config(tmp_path, repo_root, tiny_cub, 1)
    work = str(tmp_path / 'dist')
    env = dict(
        os.environ, PORT='29547', OMP_NUM_THREADS='1', PYTHON=sys.executable)
    proc = subprocess.run([
        'bash', 'tools/dist_train.sh', config, '2', '--work-dir', work,
        '--cfg-options', 'train_dataloader.batch_size=2'
    ],
                          cwd=repo_root,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'SCA clustering at epoch 0: 8 images x d=16' in log
    # SwAV's SyncBN neck runs as BatchNorm in CPU DDP
    assert 'SyncBN layers run as BatchNorm' in log

    def labels(work_dir):
        state = torch.load(
            osp.join(work_dir, 'epoch_1.pth'),
            map_location='cpu',
            weights_only=True)
        return state['sca_clustering']['pseudo_labels']

    dist, single = labels(work), labels(single_work)
    assert dist.shape == single.shape == (8, )
    # the same partition (k-means cluster ids may be numbered differently)
    same = single[:, None] == single[None, :]
    assert torch.equal(dist[:, None] == dist[None, :], same)
