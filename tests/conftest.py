"""Shared fixtures: a tiny synthetic CUB-layout dataset, repo paths."""
import os
import os.path as osp
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)
os.environ.setdefault('OMP_NUM_THREADS', '2')


def pytest_configure(config):
    """The tools and our configs opt in to the numpy-2 fix of mmcv's
    ``adjust_hue``; tests building ``ColorJitter(hue > 0)`` pipelines from
    plain dicts get it too (``import mmssl_addons`` no longer applies it)."""
    from mmssl_addons.utils.compat import patch_mmcv_adjust_hue
    patch_mmcv_adjust_hue(logger='silent')


@pytest.fixture(scope='session')
def repo_root():
    return REPO


@pytest.fixture(scope='session')
def tiny_cub(tmp_path_factory):
    """4 classes x 4 images (2 train + 2 test each), 64 px."""
    from mmssl_addons.synthetic import generate_synthetic_cub
    out = tmp_path_factory.mktemp('data') / 'synthetic_cub'
    generate_synthetic_cub(
        str(out), num_classes=4, per_class=4, size=64, seed=0)
    return str(out)


@pytest.fixture(autouse=True)
def mmpretrain_default_scope():
    """Start every test in mmpretrain's default scope.

    Tests that run mmdet/mmseg/mmpose configs in-process leave their scope
    as the current one; registry lookups of later tests would then miss
    mmpretrain's (and our) transforms.
    """
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')


@pytest.fixture
def train_args(monkeypatch):
    """``train_args(**overrides)``: the Namespace of ``tools/train.py``'s
    own parser for ``CONFIG --work-dir /tmp/unused`` (the tests' configs
    live in memory, with no file name to derive a work dir from), then
    ``overrides`` set."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'mmssl_addons_tools_train', osp.join(REPO, 'tools', 'train.py'))
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)

    def make(**overrides):
        monkeypatch.setattr(
            sys, 'argv', ['train.py', 'CONFIG', '--work-dir', '/tmp/unused'])
        monkeypatch.setenv('LOCAL_RANK', os.environ.get('LOCAL_RANK', '0'))
        args = train.parse_args()
        for key, value in overrides.items():
            if not hasattr(args, key):
                raise AttributeError(f'tools/train.py has no --{key}')
            setattr(args, key, value)
        return args

    return make
