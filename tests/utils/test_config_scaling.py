"""rescale_sizes / reroot against hand-written expectations, and inside a
real mmengine config that reads its base as ``_base_``."""
import pytest
from mmengine.config import Config

from mmssl_addons.utils.config_scaling import reroot, rescale_sizes

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiView',
        num_views=[2, 6],
        transforms=[[
            dict(type='RandomResizedCrop', scale=224),
            dict(type='RandomFlip', prob=0.5)
        ], [dict(type='RandomResizedCrop', scale=96)]]),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackInputs', size=224),  # not a crop / resize: kept
]


def test_rescale_maps_at_once_not_in_a_chain():
    out = rescale_sizes(PIPELINE, {224: 96, 96: 48, 256: 110})
    views = out[1]['transforms']
    assert views[0][0]['scale'] == 96  # 224 -> 96, not on to 48
    assert views[1][0]['scale'] == 48
    assert out[2]['scale'] == 110
    assert out[3]['crop_size'] == 96
    assert out[4]['scale'] == (96, 96)
    assert out[5]['size'] == 224
    assert views[0][1] == dict(type='RandomFlip', prob=0.5)
    # the input is left as it was
    assert PIPELINE[1]['transforms'][0][0]['scale'] == 224


def test_rescale_rejects_a_size_no_transform_has():
    with pytest.raises(ValueError, match=r'size \[225\]'):
        rescale_sizes(PIPELINE, {225: 96})
    out = rescale_sizes(PIPELINE, {225: 96}, strict=False)
    assert out == PIPELINE
    with pytest.raises(TypeError, match='int pixel sizes'):
        rescale_sizes(PIPELINE, {224: 96.0})


def test_reroot_swaps_whole_path_components_only():
    node = dict(
        data_root='data/imagenet',
        dataset=dict(
            img_root='data/imagenet/train',
            other='data/imagenet_extra/x',
            names=('data/imagenet/a', 3)))
    out = reroot(node, 'data/imagenet/', 'data/synthetic_cub')
    assert out == dict(
        data_root='data/synthetic_cub',
        dataset=dict(
            img_root='data/synthetic_cub/train',
            other='data/imagenet_extra/x',
            names=('data/synthetic_cub/a', 3)))
    assert node['dataset']['img_root'] == 'data/imagenet/train'
    with pytest.raises(ValueError, match='empty'):
        reroot(node, '', 'x')


def test_a_child_config_rescales_its_base(tmp_path):
    (tmp_path / 'paper.py').write_text(
        'crop = 224\n'
        "pipeline = [dict(type='RandomResizedCrop', scale=crop),\n"
        "            dict(type='RandomFlip', prob=0.5)]\n"
        "loader = dict(batch_size=256, dataset=dict(\n"
        "    data_root='data/imagenet', pipeline=pipeline))\n")
    (tmp_path / 'demo.py').write_text(
        "_base_ = './paper.py'\n"
        'from mmssl_addons.utils.config_scaling import rescale_sizes\n'
        "loader = dict(batch_size=8, dataset=dict(data_root='data/syn',\n"
        '    pipeline=rescale_sizes(_base_.pipeline, {224: 96})))\n')
    cfg = Config.fromfile(str(tmp_path / 'demo.py'))
    assert cfg.loader.batch_size == 8
    assert cfg.loader.dataset.pipeline == [
        dict(type='RandomResizedCrop', scale=96),
        dict(type='RandomFlip', prob=0.5)
    ]
    assert cfg.pipeline[0].scale == 224  # the base's own value stays
    assert 'rescale_sizes' not in cfg  # functions are not config keys
