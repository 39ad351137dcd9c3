"""tools/reproduce_mini.py: arms differ only in the add-on; a 1-seed,
2-epoch smoke run writes the result, the figure and the summary."""
import json
import os.path as osp
import subprocess
import sys

import pytest

from mmssl_addons.utils.config_scaling import SIZE_KEYS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

sys.path.insert(0, osp.join(REPO, 'tools'))
from reproduce import runs  # noqa: E402
from reproduce.specs import METHODS  # noqa: E402

# Top-level keys in which the base and the add-on arm may differ, per
# method: the model always, and what the add-on adds (its data, hooks).
ADDON_KEYS = dict(
    lcr={'model'},
    dilo={'model', 'train_dataloader', 'custom_hooks'},
    sca={'model', 'train_dataloader', 'custom_hooks'},
    clove={'model', 'train_dataloader'},
    bam={'model', 'custom_hooks'})
SHARED = ('train_cfg', 'randomness', 'test_dataloader')
# what the runner reads (other top-level names are config variables)
RUNNER_KEYS = ('model', 'data_preprocessor', 'train_dataloader',
               'optim_wrapper', 'param_scheduler', 'train_cfg',
               'default_hooks', 'custom_hooks', 'randomness', 'env_cfg',
               'auto_scale_lr', 'test_dataloader', 'find_unused_parameters',
               'model_wrapper_cfg')


def _arms(method, tmp_path):
    spec = METHODS[method]
    root = str(tmp_path / 'data')
    base = runs.build_config(spec.base_config, root, spec, 'base', 3, 4, {})
    addon = runs.build_config(
        spec.addon_config, root, spec, 'addon', 3, 4, {}, base_cfg=base)
    return spec, root, base.to_dict(), addon.to_dict()


def _strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


@pytest.mark.parametrize('method', sorted(METHODS))
def test_arms_share_every_base_setting(method, tmp_path):
    spec, root, base, addon = _arms(method, tmp_path)
    for key in SHARED:
        assert base[key] == addon[key], key
    assert base['train_cfg']['max_epochs'] == 4
    assert base['randomness'] == dict(seed=3)
    # same number of training views: "identical except for the add-on"
    assert _num_views(base) == _num_views(addon), (_num_views(base),
                                                   _num_views(addon))
    for key in RUNNER_KEYS:
        if key in ADDON_KEYS[method]:
            continue
        assert base.get(key) == addon.get(key), f'{method}: {key} differs'
    for cfg in (base, addon):
        paths = [s for s in _strings(cfg) if 'synthetic_cub' in s]
        assert not paths, f'demo data paths left: {paths}'
        assert root in list(_strings(cfg['test_dataloader']))
        hooks = [h['type'] for h in cfg.get('custom_hooks', [])]
        assert 'KNNMonitorHook' not in hooks
        assert 96 not in _crop_sizes(cfg), 'demo crop size left'


def _num_views(cfg):
    for step in cfg['train_dataloader']['dataset']['pipeline']:
        if str(step['type']).startswith('MultiView'):
            n = step['num_views']
            return sum(n) if isinstance(n, (list, tuple)) else n
    raise AssertionError('no MultiView step')


def _crop_sizes(cfg):
    sizes = []

    def visit(node):
        if isinstance(node, dict):
            if 'Crop' in str(node.get('type', '')):
                sizes.extend(v for k, v in node.items()
                             if k in SIZE_KEYS and isinstance(v, int))
            for v in node.values():
                visit(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                visit(v)

    visit(cfg)
    return sizes


def test_global_views_keep_the_first_two_groups():
    pipe = [
        dict(type='Load'),
        dict(
            type='MultiViewWithBoxes',
            num_views=[1, 1, 6],
            transforms=['g1', 'g2', 'local'])
    ]
    runs.keep_global_views(pipe)
    assert pipe[1]['num_views'] == [1, 1]
    assert pipe[1]['transforms'] == ['g1', 'g2']
    with pytest.raises(ValueError, match='MultiView'):
        runs.keep_global_views([dict(type='Load')])


def test_smoke_one_seed_two_epochs(tmp_path):
    work = str(tmp_path / 'mini')
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'reproduce_mini.py'), 'lcr', '--seeds', '0',
        '--epochs', '2', '--per-class', '8', '--work-dir', work
    ]
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(osp.join(work, 'lcr.json')) as f:
        res = json.load(f)
    assert (res['method'], res['base'], res['addon']) == ('lcr', 'MoCo v2',
                                                          'MoCo v2 + LCR')
    assert res['epochs'] == 2 and res['seeds'] == [0]
    metrics = [c['metric'] for c in res['claims']]
    assert metrics[0] == 'retrieval_rank1' and res['claims'][0]['primary']
    for claim in res['claims']:
        row = claim['per_seed']['0']
        assert set(row) == {'random', 'base', 'addon'}
        assert claim['mean_delta'] == pytest.approx(row['addon'] - row['base'])
        assert claim['std_delta'] is None and not claim['reproduced']
        assert all(0 <= v <= 100 for v in row.values())
    assert osp.getsize(osp.join(work, 'lcr.png')) > 10000
    # the two arms trained for real, in separate folders
    assert len(res['train_s']) == 2
    # an existing result is not replaced unless asked
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert again.returncode != 0 and '--overwrite' in again.stderr
    # asked: finished runs are reused, not retrained
    again = subprocess.run(
        cmd + ['--overwrite'],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.count('reusing') == 2
    summary = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'reproduce_mini.py'), '--summary',
        '--work-dir', work
    ],
                             cwd=REPO,
                             capture_output=True,
                             text=True)
    assert summary.returncode == 0, summary.stderr
    with open(osp.join(work, 'summary.md')) as f:
        table = f.read()
    assert 'MoCo v2 + LCR vs MoCo v2' in table and 'no (1 seed)' in table
