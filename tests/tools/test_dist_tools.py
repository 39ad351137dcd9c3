"""tools/dist_train.sh and tools/dist_test.sh with 2 CPU processes (gloo)."""
import json
import os
import os.path as osp
import subprocess
import sys

import torch
from test_train_resume import CONFIG, tiny_options


def run_sh(repo_root, *args, port):
    env = dict(
        os.environ, PORT=str(port), OMP_NUM_THREADS='1', PYTHON=sys.executable)
    proc = subprocess.run(['bash', *args],
                          cwd=repo_root,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_dist_train_and_test_on_cpu(repo_root, tiny_cub, tmp_path):
    work = str(tmp_path / 'dist')
    # 2 ranks x batch 2 = the single-process batch of 4: 2 iterations
    opts = tiny_options(tiny_cub, 1) + ['train_dataloader.batch_size=2']
    run_sh(
        repo_root,
        'tools/dist_train.sh',
        CONFIG,
        '2',
        '--work-dir',
        work,
        '--cfg-options',
        *opts,
        port=29531)
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True)
    assert state['meta']['iter'] == 2
    out = str(tmp_path / 'metrics.json')
    run_sh(
        repo_root,
        'tools/dist_test.sh',
        CONFIG,
        osp.join(work, 'epoch_1.pth'),
        '2',
        '--work-dir',
        work,
        '--out',
        out,
        '--cfg-options',
        *opts,
        port=29532)
    with open(out) as f:
        metrics = json.load(f)
    assert set(metrics) == {
        'retrieval/rank1', 'retrieval/rank5', 'retrieval/mAP'
    }
