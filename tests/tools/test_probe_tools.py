"""The mask-probe tools on a tiny test bed (with controlled pairs) and a
tiny checkpoint (the demo MoCo v2 + LCR model, random weights)."""
import importlib.util
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
def run(repo_root, tmp_path_factory):
    from mmpretrain.registry import MODELS

    from mmssl_addons.synthetic import generate_synthetic_cub
    from mmssl_addons.utils import load_config
    data = str(tmp_path_factory.mktemp('bed') / 'cub')
    generate_synthetic_cub(
        data,
        num_classes=4,
        per_class=4,
        size=64,
        seed=0,
        controlled_pairs=True)
    work = tmp_path_factory.mktemp('ckpt')
    opts = {'test_dataloader.dataset.data_root': data, 'model.queue_len': 64}
    cfg = load_config(osp.join(repo_root, CONFIG), opts)
    torch.manual_seed(0)
    ckpt = str(work / 'epoch_1.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    cwd, threads = os.getcwd(), torch.get_num_threads()
    os.chdir(repo_root)
    torch.set_num_threads(1)
    yield dict(
        ckpt=ckpt,
        work=str(work),
        data=data,
        cfg=cfg,
        args=[
            CONFIG, ckpt, '--num-workers', '0', '--cfg-options',
            f'test_dataloader.dataset.data_root={data}', 'model.queue_len=64'
        ])
    os.chdir(cwd)
    torch.set_num_threads(threads)


def with_opts(run, *extra):
    return run['args'][:2] + list(extra) + run['args'][2:]


def check_png(path):
    img = cv2.imread(path)
    assert img is not None and img.ndim == 3 and img.shape[0] > 32


def test_masks_follow_the_test_pipeline(run):
    """ResizeEdge + CenterCrop move the masks exactly as the images: the
    object mask after the pipeline equals the pipeline's image-space
    transform of the rendered mask (checked on the known geometry)."""
    from mmssl_addons.evaluation.mask_data import load_split_with_masks
    data = load_split_with_masks(run['cfg'], 'test')
    masks = data['masks']
    assert data['inputs'].shape[-2:] == masks['object'].shape[-2:] == (96, 96)
    for name in ('head', 'beak', 'tail'):
        assert (masks[name] <= masks['object']).all()
        assert masks[name].flatten(1).any(1).all(), name
    # geometry: 64 -> 110 (resize) -> centre 96 crop: crop offset 7
    from PIL import Image
    record = data['records'][0]
    raw = np.asarray(Image.open(osp.join(run['data'],
                                         record['mask_file']))) > 0
    big = cv2.resize(
        raw.astype(np.float32), (110, 110),
        interpolation=cv2.INTER_LINEAR)[7:103, 7:103] >= 0.5
    agree = (big == masks['object'][0].numpy()).mean()
    assert agree > 0.99


def test_attention_in_mask_tool(run, repo_root, tmp_path):
    tool = load_tool(repo_root, 'attention_in_mask')
    for kind in ('norm', 'gfb'):
        png = str(tmp_path / f'{kind}.png')
        res = tool.main(
            with_opts(run, '--map', kind, '--png', png, '--out',
                      str(tmp_path / f'{kind}.json')))
        for name in ('object', 'head', 'beak', 'tail'):
            assert 0 <= res[f'{name}/energy'] <= 100
            assert 0 <= res[f'{name}/pointing'] <= 100
        assert res['object/num_images'] == 8
        check_png(png)


def test_attention_tool_on_a_plain_moco_checkpoint(run, repo_root, tmp_path):
    from mmpretrain.registry import MODELS

    from mmssl_addons.utils import load_config
    config = 'configs/lcr/mocov2_synthetic_demo.py'
    cfg = load_config(config, {'model.queue_len': 64})
    ckpt = str(tmp_path / 'moco.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    args = [config, ckpt] + run['args'][2:]
    tool = load_tool(repo_root, 'attention_in_mask')
    with pytest.raises(SystemExit, match='gfb_head'):
        tool.main(args[:2] + ['--map', 'gfb'] + args[2:])
    res = tool.main(args[:2] + ['--map', 'cam'] + args[2:])
    assert 0 <= res['object/energy'] <= 100


def test_background_sensitivity_tool(run, repo_root, tmp_path):
    tool = load_tool(repo_root, 'background_sensitivity')
    png = str(tmp_path / 'pairs.png')
    res = tool.main(with_opts(run, '--png', png))
    assert 0 <= res['pairs/background_sensitivity'] <= 1
    assert res['pairs/num_pairs'] == 8
    assert osp.isfile(
        osp.join(run['work'], 'epoch_1.background_sensitivity.json'))
    check_png(png)


def test_dense_probe_tool(run, repo_root, tmp_path):
    tool = load_tool(repo_root, 'dense_probe')
    png = str(tmp_path / 'seg.png')
    res = tool.main(with_opts(run, '--steps', '20', '--png', png))
    assert 0 <= res['dense/miou'] <= 100
    assert {'dense/iou_background', 'dense/iou_object'} <= set(res)
    res = tool.main(with_opts(run, '--steps', '5', '--parts'))
    assert 'dense/iou_wing_stripe' in res
    check_png(png)
