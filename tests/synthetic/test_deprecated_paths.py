"""The old mmssl_addons.datasets.synthetic* paths still work, with a
DeprecationWarning naming the new module."""
import importlib
import os
import os.path as osp
import runpy
import subprocess
import sys

import pytest

import mmssl_addons.synthetic as synthetic
from mmssl_addons.synthetic import cli, export, video

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHIMS = {
    'synthetic': ('mmssl_addons.synthetic', cli.main),
    'synthetic_export': ('mmssl_addons.synthetic.export', export.main),
    'synthetic_video': ('mmssl_addons.synthetic.video', video.main),
}


@pytest.mark.parametrize('old', sorted(SHIMS))
def test_old_module_warns_and_forwards(old, monkeypatch):
    name = f'mmssl_addons.datasets.{old}'
    monkeypatch.delitem(sys.modules, name, raising=False)
    new, main = SHIMS[old]
    with pytest.warns(DeprecationWarning, match=new.replace('.', r'\.')):
        shim = importlib.import_module(name)
    assert shim.main is main
    if old == 'synthetic':
        assert shim.generate_synthetic_cub is synthetic.generate_synthetic_cub
        assert shim.render_sample is synthetic.render_sample
        assert shim.parse_args is cli.parse_args
    # `python -m` runs the module as __main__: the warning is shown there
    monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, 'argv', [name, '--help'])
    with pytest.warns(DeprecationWarning, match=new.replace('.', r'\.')):
        with pytest.raises(SystemExit) as stop:
            runpy.run_module(name, run_name='__main__')
    assert stop.value.code == 0


@pytest.mark.parametrize('name', [
    'SyntheticInfo', 'generate_synthetic_cub', 'generate_synthetic_davis',
    'render_sample'
])
def test_datasets_names_forward(name):
    import mmssl_addons.datasets as datasets
    with pytest.warns(DeprecationWarning, match=r'mmssl_addons\.synthetic'):
        value = getattr(datasets, name)
    assert value is getattr(synthetic, name)
    assert name not in datasets.__all__
    with pytest.raises(AttributeError):
        datasets.no_such_name


def _tree(root):
    out = {}
    for folder, _, files in os.walk(root):
        for file in files:
            path = osp.join(folder, file)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


def test_old_command_writes_the_same_files(tmp_path):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    args = [
        '--classes', '2', '--per-class', '2', '--size', '32', '--seed', '4'
    ]
    done = subprocess.run([
        sys.executable, '-m', 'mmssl_addons.datasets.synthetic', '--out',
        str(tmp_path / 'old'), *args
    ],
                          cwd=REPO_ROOT,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'DeprecationWarning' in done.stderr
    assert 'python -m mmssl_addons.synthetic' in done.stderr
    assert cli.main(['--out', str(tmp_path / 'new'), *args]) == 0
    old, new = _tree(tmp_path / 'old'), _tree(tmp_path / 'new')
    assert len(new) == 2 * 2 * 3 + 8 and old == new
