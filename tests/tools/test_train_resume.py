"""tools/train.py and tools/test.py end to end on tiny synthetic data."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

CONFIG = 'configs/lcr/moco_lcr_synthetic_demo.py'


def tiny_options(data_root, max_epochs):
    """2 iterations per epoch: 8 train images, batch 4, no workers."""
    return [
        f'train_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.batch_size=4',
        f'train_cfg.max_epochs={max_epochs}',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=3',
        'default_hooks.logger.interval=1',
        # the config's kNN monitor, every epoch, on the tiny data
        'custom_hooks.1.interval=1',
        f'custom_hooks.1.train_dataloader.dataset.data_root={data_root}',
        f'custom_hooks.1.val_dataloader.dataset.data_root={data_root}',
        'custom_hooks.1.train_dataloader.num_workers=0',
        'custom_hooks.1.val_dataloader.num_workers=0',
    ]


def run_tool(repo_root, *args):
    proc = subprocess.run([sys.executable, *args],
                          cwd=repo_root,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope='module')
def first_run(repo_root, tiny_cub, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('work'))
    proc = run_tool(repo_root, 'tools/train.py', CONFIG, '--work-dir', work,
                    '--cfg-options', *tiny_options(tiny_cub, 1))
    return work, proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def first_run_dir(first_run):
    return first_run[0]


def test_knn_monitor_reports_each_epoch(first_run):
    assert 'knn/top1' in first_run[1]


def test_two_iterations_write_safe_checkpoint(first_run_dir):
    ckpt = osp.join(first_run_dir, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    # loads with the safety check on (explicitly, whatever torch's default)
    state = torch.load(ckpt, map_location='cpu', weights_only=True)
    assert state['meta']['iter'] == 2 and state['meta']['epoch'] == 1
    assert any(k.startswith('gfb_head.') for k in state['state_dict'])
    assert 'message_hub' in state and 'optimizer' in state


def test_resume_continues_with_identical_weights(first_run_dir, tiny_cub,
                                                 repo_root):
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmssl_addons.utils import prepare_runner_config

    saved = torch.load(
        osp.join(first_run_dir, 'epoch_1.pth'),
        map_location='cpu',
        weights_only=True)
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))

    class Args:
        launcher = 'none'
        work_dir = first_run_dir
        resume = osp.join(first_run_dir, 'epoch_1.pth')
        amp = False
        auto_scale_lr = False
        no_validate = False
        cfg_options = dict(
            kv.split('=', 1) for kv in tiny_options(tiny_cub, 2))

    for key, value in list(Args.cfg_options.items()):
        if value.isdigit():
            Args.cfg_options[key] = int(value)
        elif value == 'False':
            Args.cfg_options[key] = False
    cfg = prepare_runner_config(cfg, Args, for_training=True)
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    assert runner.iter == 2 and runner.epoch == 1
    current = runner.model.state_dict()
    assert current.keys() == saved['state_dict'].keys()
    for key, value in saved['state_dict'].items():
        assert torch.equal(current[key], value), key
    from mmengine.logging import HistoryBuffer
    scalars = runner.message_hub.log_scalars
    assert scalars and all(
        isinstance(v, HistoryBuffer) for v in scalars.values())


def test_resume_cli_continues_from_saved_iteration(first_run_dir, tiny_cub,
                                                   repo_root):
    proc = run_tool(repo_root, 'tools/train.py', CONFIG, '--work-dir',
                    first_run_dir, '--resume', '--cfg-options',
                    *tiny_options(tiny_cub, 2))
    assert 'resumed' in (proc.stdout + proc.stderr).lower()
    state = torch.load(
        osp.join(first_run_dir, 'epoch_2.pth'),
        map_location='cpu',
        weights_only=True)
    assert state['meta']['iter'] == 4 and state['meta']['epoch'] == 2


def test_test_tool_writes_retrieval_metrics(first_run_dir, tiny_cub, repo_root,
                                            tmp_path):
    out = str(tmp_path / 'metrics.json')
    run_tool(repo_root, 'tools/test.py', CONFIG,
             osp.join(first_run_dir, 'epoch_1.pth'), '--work-dir',
             str(tmp_path), '--out', out, '--cfg-options',
             *tiny_options(tiny_cub, 1))
    with open(out) as f:
        metrics = json.load(f)
    assert set(metrics) == {
        'retrieval/rank1', 'retrieval/rank5', 'retrieval/mAP'
    }
    assert all(0 <= v <= 100 for v in metrics.values())


def test_visualize_attention_writes_png(first_run_dir, tiny_cub, repo_root,
                                        tmp_path):
    out = str(tmp_path / 'grid.png')
    run_tool(repo_root, 'tools/analysis/visualize_attention.py', CONFIG,
             osp.join(first_run_dir, 'epoch_1.pth'), '--out', out,
             '--num-images', '4', '--cfg-options', *tiny_options(tiny_cub, 1))
    import cv2
    img = cv2.imread(out)
    assert img is not None and img.shape[0] > 64 and img.shape[1] > 3 * 96


def test_missing_dataset_root_is_a_clear_error(repo_root, tmp_path):
    missing = str(tmp_path / 'nowhere' / 'CUB_200_2011')
    proc = subprocess.run([
        sys.executable, 'tools/train.py', 'configs/lcr/moco_lcr_cub.py',
        '--work-dir',
        str(tmp_path / 'w'), '--cfg-options',
        f'train_dataloader.dataset.data_root={missing}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'
    ],
                          cwd=repo_root,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode != 0
    assert missing in proc.stderr
    assert 'synthetic' in proc.stderr and 'CUB_200_2011' in proc.stderr


def test_amp_flag(repo_root, tiny_cub, tmp_path):
    from argparse import Namespace

    from mmengine.config import Config

    from mmssl_addons.utils import prepare_runner_config
    args = Namespace(
        launcher='none',
        cfg_options=None,
        work_dir=str(tmp_path),
        resume=None,
        amp=True,
        auto_scale_lr=False,
        no_validate=False)
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    if torch.cuda.is_available():
        cfg = prepare_runner_config(cfg, args, for_training=True)
        assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper.loss_scale == 'dynamic'
        return
    with pytest.raises(RuntimeError, match='--amp needs a CUDA GPU'):
        prepare_runner_config(cfg, args, for_training=True)
    proc = subprocess.run([
        sys.executable, 'tools/train.py', CONFIG, '--work-dir',
        str(tmp_path / 'amp'), '--amp'
    ],
                          cwd=repo_root,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode != 0 and '--amp needs a CUDA GPU' in proc.stderr


def test_linear_probe_loads_backbone_and_gfb(first_run_dir, tiny_cub,
                                             repo_root, tmp_path):
    """Frozen backbone + GFB attention pooling from the SSL checkpoint."""
    ckpt = osp.join(first_run_dir, 'epoch_1.pth')
    work = str(tmp_path / 'linear')
    proc = run_tool(
        repo_root, 'tools/train.py',
        'configs/lcr/linear_probe/r18s_lcr_linear_synthetic_demo.py',
        '--work-dir', work, '--cfg-options',
        f'model.backbone.init_cfg.checkpoint={ckpt}',
        f'model.neck.init_cfg.checkpoint={ckpt}',
        f'train_dataloader.dataset.data_root={tiny_cub}',
        f'val_dataloader.dataset.data_root={tiny_cub}',
        f'test_dataloader.dataset.data_root={tiny_cub}',
        'train_dataloader.dataset.label_fraction=0.5',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
        'train_cfg.max_epochs=1', 'train_cfg.val_interval=1')
    log = proc.stdout + proc.stderr
    assert 'accuracy/top1' in log
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    saved = torch.load(ckpt, map_location='cpu', weights_only=True)
    # both stay frozen: equal to the self-supervised weights after training
    sd, ssl = state['state_dict'], saved['state_dict']
    assert torch.equal(sd['neck.projections.weight'],
                       ssl['gfb_head.projections.weight'])
    assert torch.equal(sd['backbone.layer4.1.conv2.weight'],
                       ssl['backbone.layer4.1.conv2.weight'])
