"""COCO / VOC / ADE exports of the synthetic dataset, read back by the
real readers (pycocotools, mmdet's VOCDataset, mmseg's BaseSegDataset)."""
import filecmp
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmssl_addons.synthetic import PART_NAMES
from mmssl_addons.synthetic.export import (export_synthetic, main,
                                           mask_to_polygons, mask_to_rle,
                                           rle_to_mask)


@pytest.fixture(scope='module')
def exported(tiny_cub, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('export') / 'transfer')
    info = export_synthetic(tiny_cub, out)
    return out, info


def _source(tiny_cub):
    with open(osp.join(tiny_cub, 'annotations.json')) as f:
        return {r['id']: r for r in json.load(f)['images']}


def _mask(tiny_cub, record):
    return np.asarray(Image.open(osp.join(tiny_cub, record['mask_file']))) > 0


def test_rle_matches_pycocotools_and_round_trips():
    mask_utils = pytest.importorskip('pycocotools.mask')
    rng = np.random.default_rng(0)
    masks = [rng.random((7, 5)) > 0.5, np.ones((3, 4), bool)]
    masks.append(np.zeros((2, 2), bool))
    for mask in masks:
        rle = mask_to_rle(mask)
        np.testing.assert_array_equal(rle_to_mask(rle), mask)
        ours = mask_utils.frPyObjects(rle, *rle['size'])
        ref = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
        assert ours['counts'] == ref['counts']


def test_coco_json_loads_and_masks_boxes_keypoints_match(exported, tiny_cub):
    coco_mod = pytest.importorskip('pycocotools.coco')
    out, info = exported
    source = _source(tiny_cub)
    for split, n in (('train', info['num_train']), ('val', info['num_test'])):
        coco = coco_mod.COCO(
            osp.join(out, 'coco', 'annotations', f'instances_{split}.json'))
        assert len(coco.getImgIds()) == n
        cat = coco.loadCats(coco.getCatIds())[0]
        assert cat['name'] == 'bird' and cat['keypoints'] == list(PART_NAMES)
        for ann in coco.loadAnns(coco.getAnnIds()):
            record = source[ann['image_id']]
            img = coco.loadImgs(ann['image_id'])[0]
            assert osp.isfile(osp.join(out, 'coco', split, img['file_name']))
            mask = _mask(tiny_cub, record)
            np.testing.assert_array_equal(coco.annToMask(ann) > 0, mask)
            rows, cols = np.nonzero(mask)
            assert ann['bbox'] == [
                cols.min(),
                rows.min(),
                cols.max() - cols.min() + 1,
                rows.max() - rows.min() + 1
            ]
            assert ann['area'] == mask.sum() and ann['iscrowd'] == 0
            kpts = np.array(ann['keypoints'], dtype=float).reshape(-1, 3)
            assert ann['num_keypoints'] == (kpts[:, 2] == 2).sum() == 6
            np.testing.assert_allclose(
                kpts[:, :2], np.array(record['keypoints'])[:, :2], atol=0.006)


def test_polygons_and_fine_grained_categories(tiny_cub, tmp_path):
    coco_mod = pytest.importorskip('pycocotools.coco')
    out = str(tmp_path / 'poly')
    export_synthetic(
        tiny_cub,
        out,
        formats=['coco'],
        fine_grained=True,
        mask_format='polygon')
    assert sorted(os.listdir(out)) == ['coco', 'export_info.json']
    coco = coco_mod.COCO(
        osp.join(out, 'coco', 'annotations', 'instances_train.json'))
    source = _source(tiny_cub)
    assert len(coco.getCatIds()) == 4
    for ann in coco.loadAnns(coco.getAnnIds()):
        assert isinstance(ann['segmentation'], list)
        assert ann['category_id'] == source[ann['image_id']]['class_id']
        mask = _mask(tiny_cub, source[ann['image_id']])
        poly = coco.annToMask(ann) > 0
        iou = (poly & mask).sum() / (poly | mask).sum()
        assert iou > 0.8


def test_polygon_of_a_square():
    mask = np.zeros((10, 10), bool)
    mask[2:6, 3:8] = True
    (poly, ) = mask_to_polygons(mask)
    xy = np.array(poly).reshape(-1, 2)
    assert xy[:, 0].min() == 3.5 and xy[:, 0].max() == 7.5
    assert xy[:, 1].min() == 2.5 and xy[:, 1].max() == 5.5


def test_voc_layout_parsed_by_mmdet(exported, tiny_cub):
    pytest.importorskip('mmdet')
    from mmdet.datasets import VOCDataset
    out, info = exported
    source = {osp.basename(r['file']): r for r in _source(tiny_cub).values()}
    for ann_file, n in (('trainval.txt', info['num_train']),
                        ('test.txt', info['num_test'])):
        dataset = VOCDataset(
            data_root=osp.join(out, 'voc'),
            ann_file=f'VOC2007/ImageSets/Main/{ann_file}',
            data_prefix=dict(sub_data_root='VOC2007/'),
            metainfo=dict(classes=('bird', )),
            pipeline=[],
            test_mode=True)
        assert len(dataset) == n
        assert dataset.metainfo['dataset_type'] == 'VOC2007'
        for i in range(n):
            item = dataset.get_data_info(i)
            (inst, ) = item['instances']
            x, y, w, h = source[osp.basename(item['img_path'])]['bbox']
            # mmdet makes VOC's 1-based inclusive corners 0-based
            assert inst['bbox'] == [x, y, x + w - 1, y + h - 1]
            assert inst['bbox_label'] == 0 and inst['ignore_flag'] == 0
            assert osp.isfile(item['img_path'])


def test_ade_layout_read_by_mmseg(exported, tiny_cub):
    pytest.importorskip('mmseg')
    from mmseg.datasets import BaseSegDataset
    out, info = exported
    source = {
        osp.splitext(osp.basename(r['file']))[0]: r
        for r in _source(tiny_cub).values()
    }
    dataset = BaseSegDataset(
        data_root=osp.join(out, 'ade'),
        data_prefix=dict(
            img_path='images/validation',
            seg_map_path='annotations/validation'),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        metainfo=dict(classes=('background', 'bird')),
        pipeline=[])
    assert len(dataset) == info['num_test']
    for i in range(len(dataset)):
        item = dataset.get_data_info(i)
        label = np.asarray(Image.open(item['seg_map_path']))
        stem = osp.splitext(osp.basename(item['seg_map_path']))[0]
        np.testing.assert_array_equal(label, _mask(tiny_cub, source[stem]) * 1)


def test_deterministic_and_refuses_to_overwrite(exported, tiny_cub, tmp_path,
                                                capsys):
    out, _ = exported
    again = str(tmp_path / 'again')
    assert main(['--src', tiny_cub, '--out', again]) == 0
    for sub in ('coco/annotations/instances_train.json',
                'coco/annotations/instances_val.json',
                'voc/VOC2007/ImageSets/Main/trainval.txt', 'export_info.json'):
        if sub == 'export_info.json':
            a, b = (json.load(open(osp.join(d, sub))) for d in (out, again))
            assert a == b
        else:
            assert filecmp.cmp(
                osp.join(out, sub), osp.join(again, sub), shallow=False)
    for folder in ('voc/VOC2007/Annotations', 'ade/annotations/training'):
        names = sorted(os.listdir(osp.join(out, folder)))
        assert names == sorted(os.listdir(osp.join(again, folder)))
        assert all(
            filecmp.cmp(
                osp.join(out, folder, n),
                osp.join(again, folder, n),
                shallow=False) for n in names)
    assert main(['--src', tiny_cub, '--out', again]) == 2
    assert '--overwrite' in capsys.readouterr().err
    assert main(
        ['--src', tiny_cub, '--out', again, '--overwrite', '--formats',
         'ade']) == 0
    assert sorted(os.listdir(again)) == ['ade', 'export_info.json']
    # no temporary files left behind
    for root, _, files in os.walk(again):
        assert not [f for f in files if f.endswith('.tmp')]


def test_bad_arguments(tiny_cub, tmp_path, capsys):
    assert main(['--src', str(tmp_path), '--out', str(tmp_path / 'o')]) == 2
    assert 'not a complete synthetic dataset' in capsys.readouterr().err
    assert main([
        '--src', tiny_cub, '--out',
        str(tmp_path / 'o'), '--formats', 'coco,yolo'
    ]) == 2
    assert 'subset of' in capsys.readouterr().err
    with pytest.raises(ValueError, match='mask_format'):
        export_synthetic(tiny_cub, str(tmp_path / 'p'), mask_format='png')
