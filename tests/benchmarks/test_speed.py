"""benchmarks/speed.py runs two configs in one process and reports."""
import json
import os.path as osp
import subprocess
import sys


def test_speed_reports_ratio_and_memory(repo_root, tmp_path):
    out = str(tmp_path / 'speed.json')
    proc = subprocess.run([
        sys.executable, 'benchmarks/speed.py',
        'configs/lcr/mocov2_synthetic_demo.py',
        'configs/lcr/moco_lcr_synthetic_demo.py', '--batch-size', '4',
        '--img-size', '32', '--warmup', '1', '--rounds', '2', '--steps', '1',
        '--out', out
    ],
                          cwd=repo_root,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out) as f:
        result = json.load(f)
    names = ('mocov2_synthetic_demo', 'moco_lcr_synthetic_demo')
    assert (result['base'], result['addon']) == names
    times = result['step_time_s']
    assert all(times[n] > 0 for n in names)
    assert result['ratio_min'] <= result['ratio'] <= result['ratio_max']
    assert all(result['peak_memory_mib'][n] >= 0 for n in names)
    assert osp.getsize(out) > 0


def test_speed_needs_two_configs(repo_root):
    proc = subprocess.run([
        sys.executable, 'benchmarks/speed.py',
        'configs/lcr/mocov2_synthetic_demo.py'
    ],
                          cwd=repo_root,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode != 0
    assert 'exactly two configs' in proc.stderr
