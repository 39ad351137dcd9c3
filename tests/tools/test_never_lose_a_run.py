"""A kill during a checkpoint save, resume edge cases, schedules that
follow max_epochs and hook-argument typos, with real training runs."""
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time

import mmcv
import numpy as np
import torch

from mmssl_addons.utils.compat import ADJUST_HUE_NOTE

CONFIG = 'configs/lcr/moco_lcr_synthetic_demo.py'
NEEDS_HUE_FIX = int(np.__version__.split('.')[0]) >= 2 and \
    mmcv.__version__.startswith('2.1.')


def tiny_options(data_root, max_epochs):
    """2 iterations per epoch: 8 train images, batch 4, no workers."""
    return [
        f'train_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_cfg.max_epochs={max_epochs}',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.logger.interval=1'
    ]


def _env(repo_root):
    return dict(os.environ, PYTHONPATH=repo_root, OMP_NUM_THREADS='1')


def _train(repo_root, work, *extra, options=None):
    return subprocess.run([
        sys.executable, 'tools/train.py', CONFIG, '--work-dir', work, *extra,
        '--cfg-options', *options
    ],
                          cwd=repo_root,
                          env=_env(repo_root),
                          capture_output=True,
                          text=True,
                          timeout=900)


def _opts(tiny_cub, max_epochs, keep=1):
    opts = tiny_options(tiny_cub, max_epochs)
    opts = [o for o in opts if 'max_keep_ckpts' not in o]
    return opts + [
        f'default_hooks.checkpoint.max_keep_ckpts={keep}', 'custom_hooks=[]'
    ]


def test_sigkill_during_save_then_resume(repo_root, tiny_cub, tmp_path):
    work = str(tmp_path / 'work')
    marker = str(tmp_path / 'saving')
    env = dict(
        _env(repo_root), SLOW_PUT_MATCH='epoch_2', SLOW_PUT_MARKER=marker)
    proc = subprocess.Popen([
        sys.executable, 'tests/tools/helpers/slow_put_train.py', CONFIG,
        '--work-dir', work, '--cfg-options', *_opts(tiny_cub, 2)
    ],
                            cwd=repo_root,
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.time() + 600
    while not osp.exists(marker):
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        assert time.time() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # mid-write of epoch 2
    proc.wait()
    # the previous complete checkpoint survives and is what is recorded
    assert not osp.exists(osp.join(work, 'epoch_2.pth'))
    first = osp.join(work, 'epoch_1.pth')
    assert torch.load(first, weights_only=True)['meta']['epoch'] == 1
    with open(osp.join(work, 'last_checkpoint')) as f:
        assert f.read().strip() == first
    done = _train(repo_root, work, '--resume', options=_opts(tiny_cub, 2))
    assert done.returncode == 0, done.stderr[-3000:]
    state = torch.load(osp.join(work, 'epoch_2.pth'), weights_only=True)
    assert state['meta']['epoch'] == 2 and state['meta']['iter'] == 4
    assert not osp.exists(first)  # max_keep_ckpts=1, after the new one
    assert not [n for n in os.listdir(work) if n.endswith('.tmp')]

    # a copied work dir resumes from its own files
    copy = str(tmp_path / 'copy')
    shutil.copytree(work, copy)
    os.remove(osp.join(work, 'epoch_2.pth'))
    again = _train(repo_root, copy, '--resume', options=_opts(tiny_cub, 3))
    assert again.returncode == 0, again.stderr[-3000:]
    assert f'continuing from {osp.join(copy, "epoch_2.pth")}' in (
        again.stdout + again.stderr)
    state = torch.load(osp.join(copy, 'epoch_3.pth'), weights_only=True)
    assert state['meta']['iter'] == 6


def test_resume_errors_and_warnings(repo_root, tiny_cub, tmp_path):
    empty = str(tmp_path / 'empty')
    proc = _train(repo_root, empty, '--resume', options=_opts(tiny_cub, 1))
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'WARNING' in log and '--resume found no checkpoint' in log
    assert osp.abspath(empty) in log

    good = osp.join(empty, 'epoch_1.pth')
    cut = str(tmp_path / 'cut.pth')
    with open(good, 'rb') as f:
        data = f.read()
    with open(cut, 'wb') as f:
        f.write(data[:len(data) // 2])
    proc = _train(
        repo_root,
        str(tmp_path / 'w2'),
        '--resume',
        cut,
        options=_opts(tiny_cub, 1))
    assert proc.returncode != 0
    assert cut in proc.stderr and 'incomplete' in proc.stderr
    assert 'weights_only' not in proc.stderr.replace('weights_only=True', '')
    assert 'Traceback' not in proc.stderr

    foreign = str(tmp_path / 'foreign.pth')
    torch.save({'state_dict': {}, 'obj': object.__new__(_Foreign)}, foreign)
    proc = _train(
        repo_root,
        str(tmp_path / 'w3'),
        '--resume',
        foreign,
        options=_opts(tiny_cub, 1))
    assert proc.returncode != 0 and foreign in proc.stderr
    assert 'import_released.py' in proc.stderr
    assert 'weights_only set to False' not in proc.stderr
    assert 'weights_only=False' not in proc.stderr


class _Foreign:
    pass


def test_schedule_follows_max_epochs(repo_root, tiny_cub, tmp_path):
    """The real built schedulers of the Runner, and the log line."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmssl_addons.utils import prepare_runner_config

    class Args:
        launcher = 'none'
        work_dir = str(tmp_path)
        resume = None
        amp = auto_scale_lr = no_validate = False
        cfg_options = {
            'train_cfg.max_epochs': 3,
            'train_dataloader.dataset.data_root': tiny_cub,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'custom_hooks': []
        }

    cfg = Config.fromfile(
        osp.join(repo_root, 'configs/lcr/mocov2_synthetic_demo.py'))
    assert cfg.param_scheduler[0].T_max == 30  # the config's own length
    notes = []
    cfg = prepare_runner_config(cfg, Args, for_training=True, notes=notes)
    assert any('T_max 30 -> 3' in n for _, n in notes)
    runner = Runner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    scheds = runner.build_param_scheduler(runner.param_schedulers)
    (cos, ) = scheds
    assert cos.by_epoch and cos.T_max == 3 and cos.end == 3  # epochs
    proc = _train(repo_root, str(tmp_path / 'log'), options=_opts(tiny_cub, 1))
    log = proc.stdout + proc.stderr
    assert 'param_scheduler[0] (CosineAnnealingLR) end 30 -> 1' in log
    # the run's log names what the tool set, and the numpy-2 fix once
    assert "prepare_runner_config: train_cfg.max_epochs = 1  # --cfg-options" \
        in log
    if NEEDS_HUE_FIX:
        assert log.count(ADJUST_HUE_NOTE) == 1


def test_hook_argument_typo_fails_before_training(repo_root, tiny_cub,
                                                  tmp_path):
    opts = _opts(tiny_cub, 1) + ['default_hooks.checkpoint.max_keep_ckpt=1']
    t0 = time.time()
    proc = _train(repo_root, str(tmp_path / 'w'), options=opts)
    assert proc.returncode != 0
    assert "'max_keep_ckpt'" in proc.stderr and 'max_keep_ckpts' in proc.stderr
    assert 'Epoch(train)' not in proc.stdout + proc.stderr
    assert not osp.exists(osp.join(tmp_path, 'w', 'epoch_1.pth'))
    assert time.time() - t0 < 300
