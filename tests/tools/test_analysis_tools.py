"""Every tools/analysis tool on the tiny synthetic data and a tiny
checkpoint (the demo MoCo v2 + LCR model, random weights, short queue).

The tools run in-process (``main(argv)``) so that the suite does not pay
the mmpretrain import once per tool.
"""
import importlib.util
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

CONFIG = 'configs/lcr/moco_lcr_synthetic_demo.py'


def load_tool(repo_root, name):
    path = osp.join(repo_root, 'tools', 'analysis', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'_tool_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def run(repo_root, tiny_cub, tmp_path_factory):
    """A checkpoint written by building the model and saving its state."""
    from mmpretrain.registry import MODELS

    from mmssl_addons.utils import load_config
    work = tmp_path_factory.mktemp('ckpt')
    options = [
        f'test_dataloader.dataset.data_root={tiny_cub}', 'model.queue_len=64'
    ]
    opts = {
        'test_dataloader.dataset.data_root': tiny_cub,
        'model.queue_len': 64
    }
    cfg = load_config(osp.join(repo_root, CONFIG), opts)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    ckpt = str(work / 'epoch_1.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    cwd, threads = os.getcwd(), torch.get_num_threads()
    os.chdir(repo_root)
    torch.set_num_threads(1)  # tiny batches: threads only add overhead
    yield dict(
        ckpt=ckpt,
        work=str(work),
        opts=opts,
        args=[CONFIG, ckpt, '--num-workers', '0', '--cfg-options', *options])
    os.chdir(cwd)
    torch.set_num_threads(threads)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def test_extract_features_caches_once(run, repo_root, monkeypatch):
    tool = load_tool(repo_root, 'extract_features')
    path = tool.main(run['args'][:2] + ['--split', 'train'] + run['args'][2:])
    assert path.startswith(osp.join(run['work'], 'features'))
    with np.load(path) as data:
        assert data['features'].shape == (8, 256)
        assert sorted(data['labels'].tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]
        assert all(osp.isfile(p) for p in data['img_paths'])
    # a second call reads the cache: extraction must not run again
    from mmssl_addons.evaluation import feature_cache

    def fail(*args, **kwargs):
        raise AssertionError('features extracted twice')

    monkeypatch.setattr(feature_cache, 'extract_features', fail)
    assert tool.main(run['args'][:2] + ['--split', 'train'] +
                     run['args'][2:]) == path


def test_cache_key_follows_checkpoint_and_config(run):
    from mmssl_addons.evaluation.feature_cache import cache_path
    from mmssl_addons.utils import load_config
    opts = run['opts']
    cfg = load_config(CONFIG, opts)
    a = cache_path(cfg, run['ckpt'], 'test', 'auto')
    assert a != cache_path(cfg, run['ckpt'], 'train', 'auto')
    assert a != cache_path(cfg, run['ckpt'], 'test', 'backbone_gap')
    cfg2 = load_config(CONFIG,
                       dict(opts, **{'model.gfb_head.test_pooling': 'avg'}))
    assert a != cache_path(cfg2, run['ckpt'], 'test', 'auto')
    st = os.stat(run['ckpt'])
    os.utime(run['ckpt'], ns=(1, 1))  # the key holds content, not times
    assert a == cache_path(cfg, run['ckpt'], 'test', 'auto')
    saved = torch.load(run['ckpt'], weights_only=True)
    torch.save(dict(saved, meta={'other': 1}), run['ckpt'])
    assert a != cache_path(cfg, run['ckpt'], 'test', 'auto')
    torch.save(saved, run['ckpt'])
    os.utime(run['ckpt'], ns=(st.st_atime_ns, st.st_mtime_ns))


def test_init_model_normalises_like_the_runner(run):
    """The config's top-level data_preprocessor reaches the model, as
    mmengine's Runner passes it (features then match tools/test.py)."""
    from mmssl_addons.utils import init_model, load_config
    cfg = load_config(CONFIG, run['opts'])
    model = init_model(cfg, run['ckpt'])
    assert torch.allclose(model.data_preprocessor.mean.flatten(),
                          torch.tensor(cfg.data_preprocessor.mean))
    assert model.data_preprocessor._channel_conversion


def test_metric_tools_write_json_next_to_checkpoint(run, repo_root):
    res = load_tool(repo_root, 'clustering').main(run['args'])
    assert set(res) == {'clustering/nmi', 'clustering/ari'}
    res = load_tool(repo_root,
                    'retrieval_knn').main(run['args'][:2] + ['--k', '3'] +
                                          run['args'][2:])
    assert {'retrieval/rank1', 'retrieval/mAP', 'knn_k3/top1'} <= set(res)
    res = load_tool(
        repo_root,
        'linear_lbfgs').main(run['args'][:2] +
                             ['--l2-grid', '1e-3', '1', '--max-iter', '50'] +
                             run['args'][2:])
    assert 0 <= res['linear_lbfgs/top1'] <= 100
    # CUB: top-1 is its metric (mean per-class is reported next to it)
    assert {'linear_lbfgs/mean_per_class', 'linear_lbfgs/val_top1'} <= set(res)
    res = load_tool(repo_root, 'cam_drop_increase').main(run['args'])
    assert 0 <= res['cam/average_drop'] <= 100
    stem = osp.join(run['work'], 'epoch_1')
    for protocol in ('clustering', 'retrieval_knn', 'linear_lbfgs',
                     'cam_drop_increase'):
        data = read_json(f'{stem}.{protocol}.json')
        assert data['protocol'] == protocol and data['results']
    # compare merges all JSONs of a checkpoint, side by side
    table = load_tool(repo_root, 'compare').main([
        f'A={run["ckpt"]}', f'B={stem}.clustering.json', '--keys',
        'clustering|retrieval'
    ])
    lines = table.splitlines()
    assert lines[0] == '| metric | A | B |'
    assert any(
        line.startswith('| retrieval/rank1 |') and line.endswith('| - |')
        for line in lines)
    assert not any('cam/' in line for line in lines)


def test_pictures(run, repo_root):
    outs = []
    for name, extra in (('retrieval_grid', ['--topk',
                                            '3']), ('nn_sheet', ['--k', '3']),
                        ('visualize_cam', ['--num-images', '4'])):
        out = osp.join(run['work'], f'{name}.png')
        load_tool(repo_root, name).main(run['args'][:2] + ['--out', out] +
                                        extra + run['args'][2:])
        img = cv2.imread(out)
        assert img is not None and img.shape[0] > 50
        outs.append(img.shape)
    # retrieval grid: 4 columns (query + 3), 8 rows of 96 px tiles
    assert outs[0][1] > 3 * 96 and outs[0][0] > 7 * 96
    with pytest.raises(SystemExit, match='png'):
        load_tool(repo_root,
                  'nn_sheet').main(run['args'][:2] + ['--out', 'x.jpg'])


def test_label_propagation_tool(run, repo_root, tmp_path):
    from mmssl_addons.synthetic import generate_synthetic_davis
    root = str(tmp_path / 'davis')
    generate_synthetic_davis(root, num_videos=1, num_frames=4, size=48)
    out = str(tmp_path / 'lp.json')
    res = load_tool(repo_root, 'label_propagation').main([
        CONFIG, run['ckpt'], '--data-root', root, '--short-side', '96',
        '--save-masks',
        str(tmp_path / 'masks'), '--out', out, '--cfg-options',
        'model.queue_len=64'
    ])
    assert 0 <= res['davis/JF_mean'] <= 1
    assert read_json(out)['per_video']['synth00']
    assert len(os.listdir(tmp_path / 'masks' / 'synth00')) == 4


def test_make_subset_and_semi_supervised_finetune(run, repo_root, tiny_cub,
                                                  tmp_path):
    """1 % subset file, then two iterations of the fine-tune config from
    the SSL checkpoint through the mm runner."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    subset = str(tmp_path / '1percent.txt')
    cfg_file = 'configs/eval/semi_supervised/r18s_finetune_synthetic_1pct.py'
    load_tool(repo_root, 'make_subset').main([
        cfg_file, '--fraction', '0.01', '--out', subset, '--cfg-options',
        f'train_dataloader.dataset.dataset.data_root={tiny_cub}'
    ])
    assert len(open(subset).read().split()) == 4  # one image per class
    cfg = Config.fromfile(cfg_file)
    cfg.merge_from_dict({
        'work_dir': str(tmp_path / 'ft'),
        'model.backbone.init_cfg.checkpoint': run['ckpt'],
        'model.head.num_classes': 4,
        'data_preprocessor.num_classes': 4,
        'train_dataloader.dataset.fraction': None,
        'train_dataloader.dataset.subset_file': subset,
        'train_dataloader.dataset.dataset.data_root': tiny_cub,
        'train_dataloader.batch_size': 2,
        'train_dataloader.num_workers': 0,
        'val_dataloader.dataset.data_root': tiny_cub,
        'val_dataloader.num_workers': 0,
        'test_dataloader.dataset.data_root': tiny_cub,
        'test_dataloader.num_workers': 0,
        'train_cfg.max_epochs': 1,
        'train_cfg.val_interval': 1,
        'default_hooks.checkpoint.interval': 1,
        'val_evaluator': dict(type='Accuracy', topk=(1, )),
        'test_evaluator': dict(type='Accuracy', topk=(1, )),
    })
    runner = Runner.from_cfg(cfg)
    runner.model.init_weights()  # loads the backbone (train() skips it then)
    before = runner.model.backbone.layer1[0].conv1.weight.detach().clone()
    runner.train()
    assert runner.iter == 2
    # the backbone was loaded from the SSL checkpoint and is fine-tuned
    state = torch.load(run['ckpt'], weights_only=True)['state_dict']
    assert torch.equal(before, state['backbone.layer1.0.conv1.weight'])
    after = runner.model.backbone.layer1[0].conv1.weight
    assert not torch.equal(before, after)
