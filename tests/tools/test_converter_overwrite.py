"""Every converter refuses OUT == IN and an existing OUT (unless
--overwrite), with one exit status for user errors."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

TOOLS = ('extract_backbone', 'to_torchvision', 'to_detectron2', 'to_timm')


def _ckpt(path):
    torch.manual_seed(0)
    state = {
        'backbone.conv1.weight': torch.randn(4, 3, 3, 3),
        'backbone.layer1.0.conv1.weight': torch.randn(4, 4, 1, 1)
    }
    torch.save({'state_dict': state, 'meta': {'epoch': 1}}, path)


def _run(repo_root, tool, *args):
    env = dict(os.environ, PYTHONPATH=repo_root)
    return subprocess.run(
        [sys.executable, f'tools/model_converters/{tool}.py', *args],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300)


@pytest.mark.parametrize('tool', TOOLS)
def test_refuses_input_as_output(repo_root, tmp_path, tool):
    src = str(tmp_path / ('ck.pkl' if tool == 'to_detectron2' else 'ck.pth'))
    _ckpt(src)
    before = open(src, 'rb').read()
    link = str(tmp_path / 'link.pth')
    os.symlink(src, link)
    for out in (src, link):
        proc = _run(repo_root, tool, src, out, '--overwrite')
        assert proc.returncode == 2, proc.stderr
        assert 'is the input file' in proc.stderr, proc.stderr
        assert 'Traceback' not in proc.stderr
    assert open(src, 'rb').read() == before


def test_existing_output_needs_overwrite(repo_root, tmp_path):
    src = str(tmp_path / 'ck.pth')
    _ckpt(src)
    out = str(tmp_path / 'out.pth')
    shutil.copy(src, out)
    before = open(out, 'rb').read()
    proc = _run(repo_root, 'extract_backbone', src, out)
    assert proc.returncode == 2 and '--overwrite' in proc.stderr
    assert open(out, 'rb').read() == before
    proc = _run(repo_root, 'extract_backbone', src, out, '--overwrite')
    assert proc.returncode == 0, proc.stderr
    assert 'meta' in torch.load(out, weights_only=True)
    proc = _run(repo_root, 'to_torchvision', src, out)
    assert proc.returncode == 2 and 'exists' in proc.stderr


def test_same_exit_status_for_a_missing_input(repo_root, tmp_path):
    for tool in TOOLS:
        ext = '.pkl' if tool == 'to_detectron2' else '.pth'
        proc = _run(repo_root, tool, str(tmp_path / 'missing.pth'),
                    str(tmp_path / ('o' + ext)))
        assert proc.returncode == 2, (tool, proc.stderr)
        assert 'not found' in proc.stderr
