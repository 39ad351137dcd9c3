"""tools/model_converters/to_detectron2.py on checkpoints like train.py's."""
import contextlib
import importlib.util
import io
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

TOOL = 'tools/model_converters/to_detectron2.py'
DEMO_CONFIG = 'configs/lcr/moco_lcr_synthetic_demo.py'


@pytest.fixture(scope='module')
def train_checkpoint(repo_root, tmp_path_factory):
    """A checkpoint shaped like tools/train.py's, with a distinct teacher."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    import mmssl_addons  # noqa: F401  (registers the algorithms)
    cfg = Config.fromfile(osp.join(repo_root, DEMO_CONFIG))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    with torch.no_grad():  # make the EMA teacher differ from the student
        for p in model.encoder_k.parameters():
            p.add_(1.0)
    path = str(tmp_path_factory.mktemp('ckpt') / 'epoch_1.pth')
    torch.save(
        {
            'meta': {
                'epoch': 1,
                'iter': 2
            },
            'state_dict': model.state_dict(),
            'message_hub': {}
        }, path)
    return path, model


def load_tool(repo_root):
    spec = importlib.util.spec_from_file_location('to_detectron2',
                                                  osp.join(repo_root, TOOL))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(repo_root, *args):
    """The tool's entry point in this process; returns (code, message)."""
    tool = load_tool(repo_root)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            tool.run_cli(tool.main, list(args), prog='to_detectron2.py')
    except SystemExit as stop:
        assert stop.code == 2  # the status of every converter
        return 1, err.getvalue().strip()
    return 0, ''


def read_pkl(path):
    with open(path, 'rb') as f:  # plain pickle, as detectron2 reads it
        return pickle.load(f, encoding='latin1')


@pytest.mark.parametrize('encoder', ['online', 'teacher'])
def test_converts_chosen_encoder(repo_root, train_checkpoint, tmp_path,
                                 encoder):
    ckpt, model = train_checkpoint
    out = str(tmp_path / f'{encoder}.pkl')
    code, msg = run(repo_root, ckpt, out, '--encoder', encoder)
    assert code == 0, msg
    data = read_pkl(out)
    assert data['__author__'] == 'mmssl_addons'
    assert data['matching_heuristics'] is True
    weights = data['model']
    assert all(isinstance(v, np.ndarray) for v in weights.values())
    assert not any('num_batches_tracked' in k for k in weights)
    assert all(
        k.startswith(('stem.', 'res2.', 'res3.', 'res4.', 'res5.'))
        for k in weights)
    source = model.backbone if encoder == 'online' else \
        model.encoder_k.module[0]
    np.testing.assert_array_equal(weights['stem.conv1.weight'],
                                  source.conv1.weight.detach().numpy())
    np.testing.assert_array_equal(
        weights['res5.0.shortcut.norm.running_var'],
        source.layer4[0].downsample[1].running_var.numpy())
    # no leftovers next to the output (written through a temp file)
    assert os.listdir(tmp_path) == [f'{encoder}.pkl']


def test_backbone_only_input_and_prefix(repo_root, train_checkpoint, tmp_path):
    ckpt, model = train_checkpoint
    bare = str(tmp_path / 'backbone.pth')
    torch.save(model.backbone.state_dict(), bare)
    code, msg = run(repo_root, bare, str(tmp_path / 'a.pkl'))
    assert code == 0, msg
    code, msg = run(repo_root, ckpt, str(tmp_path / 'b.pkl'), '--prefix',
                    'encoder_k.module.0.')
    assert code == 0, msg
    a, b = read_pkl(tmp_path / 'a.pkl'), read_pkl(tmp_path / 'b.pkl')
    assert set(a['model']) == set(b['model'])


def test_refuses_vit_with_clear_message(repo_root, tmp_path):
    from mmpretrain.models import VisionTransformer
    vit = VisionTransformer(
        arch=dict(
            embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64),
        img_size=32,
        patch_size=16)
    path = str(tmp_path / 'vit.pth')
    torch.save(
        {
            'state_dict': {
                'backbone.' + k: v
                for k, v in vit.state_dict().items()
            }
        }, path)
    out = str(tmp_path / 'vit.pkl')
    # the real command line, in a fresh process
    env = dict(os.environ, PYTHONPATH=repo_root)
    proc = subprocess.run([sys.executable, TOOL, path, out],
                          cwd=repo_root,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 2
    assert 'error:' in proc.stderr and 'ViT' in proc.stderr
    assert 'to_timm.py' in proc.stderr and 'Traceback' not in proc.stderr
    assert not osp.exists(out)


@pytest.mark.parametrize('case,expected', [
    ('no_backbone', 'no online backbone found'),
    ('missing', 'checkpoint not found'),
    ('not_pkl', 'must end with .pkl'),
    ('teacher_absent', 'pass --encoder online'),
])
def test_user_errors(repo_root, tmp_path, case, expected):
    path = str(tmp_path / 'in.pth')
    torch.save({'state_dict': {'neck.fc.weight': torch.zeros(2, 2)}}, path)
    out = str(tmp_path / 'out.pkl')
    args = [path, out]
    if case == 'missing':
        args = [str(tmp_path / 'nope.pth'), out]
    elif case == 'not_pkl':
        args = [path, str(tmp_path / 'out.pth')]
    elif case == 'teacher_absent':
        args = [path, out, '--encoder', 'teacher']
    code, msg = run(repo_root, *args)
    assert code == 1
    assert msg.startswith('to_detectron2.py: error: ')
    assert expected in msg, msg
    assert not osp.exists(out)
