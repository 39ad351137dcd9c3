"""Export the synthetic CUB-layout dataset to downstream benchmark layouts.

The transfer benchmarks (Mask R-CNN / Faster R-CNN, UPerNet, top-down
keypoints) read COCO, VOC and ADE20K layouts. This module turns a folder
made by :mod:`mmssl_addons.synthetic` into those layouts so that
every transfer benchmark runs end to end on CPU without downloads.

Command line::

    python -m mmssl_addons.synthetic.export \\
        --src data/synthetic_cub --out data/synthetic_transfer \\
        [--formats coco,voc,ade] [--fine-grained] [--mask-format rle]

Output layout (``train`` = the CUB train split, ``val``/``test`` = its test
split; images are copied under their CUB file names, e.g.
``Synth_bird_00_0001.jpg``)::

    <out>/coco/annotations/instances_{train,val}.json
    <out>/coco/{train,val}/<name>.jpg
    <out>/voc/VOC2007/JPEGImages/<name>.jpg
    <out>/voc/VOC2007/Annotations/<name>.xml
    <out>/voc/VOC2007/ImageSets/Main/{trainval,test}.txt
    <out>/ade/images/{training,validation}/<name>.jpg
    <out>/ade/annotations/{training,validation}/<name>.png
    <out>/export_info.json                      (written last)

COCO: one annotation per image with ``bbox [x, y, w, h]``, ``area`` (mask
pixels), ``segmentation`` (exact uncompressed RLE, or ``polygon`` from the
mask contours with ``--mask-format polygon``), ``iscrowd = 0`` and the six
part keypoints as in COCO person-keypoints files: flat
``[x1, y1, v1, ...]`` with ``v = 2`` (labelled and visible) or ``0, 0, 0``
(not labelled), ``num_keypoints``; the category carries ``keypoints`` (part
names) and ``skeleton`` (1-based pairs). The same file therefore serves
instance detection / segmentation (mmdet) and keypoints (mmpose).

VOC: ``bndbox`` in VOC's 1-based inclusive pixel convention
(``xmin = x + 1``, ``xmax = x + w``); ``difficult = 0``.

ADE-style semantic segmentation: 8-bit PNG labels, ``0`` = background and
``1..K`` = the categories (not reduced: use ``reduce_zero_label=False``).

Categories: one ``bird`` class by default; ``--fine-grained`` uses the
synthetic classes (``Synth_bird_00``, ...) instead.

Every file is written through a temporary file and renamed; the output does
not depend on anything but the source dataset and the options
(deterministic). ``export_info.json`` marks a complete export.
"""
import argparse
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence

import numpy as np
from PIL import Image

from mmssl_addons.utils.atomic_io import (atomic_path, write_bytes_atomic,
                                          write_lines_atomic)
from .attributes import PART_NAMES

FORMATS = ('coco', 'voc', 'ade')
MASK_FORMATS = ('rle', 'polygon')
# (1-based part ids) beak-head, head-eye, head-body, body-wing, body-tail
SKELETON = ((1, 2), (2, 3), (2, 6), (6, 4), (6, 5))
SPLITS = {
    'train': ('train', 'trainval', 'training'),
    'test': ('val', 'test', 'validation')
}


def keypoint_metainfo(sigma: float = 0.05) -> dict:
    """mmpose ``metainfo`` for the synthetic bird parts.

    No part has a left/right twin, so ``swap`` is empty (horizontal flips
    keep every name). ``sigmas`` are the OKS falloffs (COCO uses 0.025 to
    0.107 for people); one value for all parts.
    """
    names = list(PART_NAMES)
    return dict(
        dataset_name='synthetic_birds',
        keypoint_info={
            i: dict(name=n, id=i, color=[255, 128, 0], type='upper', swap='')
            for i, n in enumerate(names)
        },
        skeleton_info={
            i:
            dict(link=(names[a - 1], names[b - 1]), id=i, color=[0, 255, 0])
            for i, (a, b) in enumerate(SKELETON)
        },
        joint_weights=[1.0] * len(names),
        sigmas=[sigma] * len(names))


# --------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------
def mask_to_rle(mask: np.ndarray) -> dict:
    """(H, W) bool -> COCO uncompressed RLE ``{'size', 'counts'}``.

    Runs are counted in column-major (Fortran) order starting with a run of
    zeros, as pycocotools does; exact.
    """
    flat = np.asarray(mask, dtype=bool).ravel(order='F')
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        counts = [0] + counts
    return dict(size=[int(mask.shape[0]), int(mask.shape[1])], counts=counts)


def rle_to_mask(rle: dict) -> np.ndarray:
    """Inverse of :func:`mask_to_rle` (uncompressed RLE only)."""
    h, w = rle['size']
    values = np.zeros(len(rle['counts']), dtype=bool)
    values[1::2] = True
    flat = np.repeat(values, rle['counts'])
    if flat.size != h * w:
        raise ValueError(f'RLE covers {flat.size} pixels, expected {h * w}')
    return flat.reshape((h, w), order='F')


def mask_to_polygons(mask: np.ndarray) -> List[List[float]]:
    """Outer contours of a mask as COCO polygons ``[[x1, y1, ...], ...]``.

    Contour points are pixel centres shifted by 0.5 (COCO's continuous
    frame); polygons with fewer than 3 points are dropped. Lossy: use RLE
    where the exact mask matters.
    """
    import cv2
    contours, _ = cv2.findContours(
        np.asarray(mask, dtype=np.uint8), cv2.RETR_EXTERNAL,
        cv2.CHAIN_APPROX_NONE)
    polygons = []
    for contour in contours:
        if len(contour) < 3:
            continue
        pts = contour.reshape(-1, 2).astype(np.float64) + 0.5
        polygons.append([round(float(v), 2) for v in pts.ravel()])
    return polygons


# --------------------------------------------------------------------------
# Reading the source
# --------------------------------------------------------------------------
def load_source(src: str) -> dict:
    """Read ``annotations.json`` of a complete synthetic dataset."""
    if not os.path.isfile(os.path.join(src, 'images.txt')):
        raise FileNotFoundError(
            f'{src!r} is not a complete synthetic dataset (no images.txt); '
            'make one with `python -m mmssl_addons.synthetic '
            f'--out {src}`.')
    with open(os.path.join(src, 'annotations.json')) as f:
        doc = json.load(f)
    if [p['name'] for p in doc['parts']] != list(PART_NAMES):
        raise ValueError(
            f'{src!r} has parts {[p["name"] for p in doc["parts"]]}, this '
            f'exporter expects {list(PART_NAMES)}; regenerate the dataset '
            'with the installed generator.')
    return doc


def _categories(doc: dict, fine_grained: bool) -> List[dict]:
    base = dict(
        supercategory='bird',
        keypoints=list(PART_NAMES),
        skeleton=[list(pair) for pair in SKELETON])
    if not fine_grained:
        return [dict(base, id=1, name='bird')]
    return [
        dict(base, id=c['id'], name=c['name'].split('.', 1)[1])
        for c in doc['classes']
    ]


def _read_mask(src: str, record: dict) -> np.ndarray:
    return np.asarray(Image.open(os.path.join(src, record['mask_file']))) > 0


def _image_name(record: dict) -> str:
    return os.path.basename(record['file'])


def _copy(src_path: str, dst_path: str) -> None:
    with atomic_path(dst_path) as tmp:
        shutil.copyfile(src_path, tmp)


def _category_id(record: dict, fine_grained: bool) -> int:
    return int(record['class_id']) if fine_grained else 1


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------
def coco_document(src: str, doc: dict, records: Sequence[dict],
                  fine_grained: bool, mask_format: str) -> dict:
    """COCO instances + keypoints document for ``records``."""
    images, annotations = [], []
    for record in records:
        mask = _read_mask(src, record)
        images.append(
            dict(
                id=record['id'],
                file_name=_image_name(record),
                width=record['width'],
                height=record['height']))
        keypoints, num = [], 0
        for x, y, v in record['keypoints']:
            if v:
                keypoints += [round(float(x), 2), round(float(y), 2), 2]
                num += 1
            else:
                keypoints += [0, 0, 0]
        segmentation = (
            mask_to_rle(mask)
            if mask_format == 'rle' else mask_to_polygons(mask))
        annotations.append(
            dict(
                id=record['id'],
                image_id=record['id'],
                category_id=_category_id(record, fine_grained),
                bbox=[float(v) for v in record['bbox']],
                area=float(mask.sum()),
                iscrowd=0,
                segmentation=segmentation,
                keypoints=keypoints,
                num_keypoints=num))
    return dict(
        info=dict(
            description='Synthetic birds exported from '
            f'{doc["info"]["generator"]} v{doc["info"]["version"]} '
            f'(seed {doc["info"]["seed"]}, {doc["info"]["size"]} px)',
            version=doc['info']['version']),
        licenses=[],
        images=images,
        annotations=annotations,
        categories=_categories(doc, fine_grained))


def _bar(records, desc: str):
    """A progress bar over ``records`` (on stderr)."""
    from tqdm import tqdm
    return tqdm(records, desc=desc, unit='img', leave=False)


def export_coco(src, doc, out, splits, fine_grained, mask_format) -> None:
    for split, records in splits.items():
        name = SPLITS[split][0]
        for record in _bar(records, f'coco {split}'):
            _copy(
                os.path.join(src, record['file']),
                os.path.join(out, 'coco', name, _image_name(record)))
        coco = coco_document(src, doc, records, fine_grained, mask_format)
        write_bytes_atomic(
            json.dumps(coco).encode('utf-8'),
            os.path.join(out, 'coco', 'annotations', f'instances_{name}.json'))


def voc_xml(record: dict, category: str) -> bytes:
    """Pascal VOC annotation XML for one image."""
    root = ET.Element('annotation')
    ET.SubElement(root, 'folder').text = 'VOC2007'
    ET.SubElement(root, 'filename').text = _image_name(record)
    size = ET.SubElement(root, 'size')
    for key, value in (('width', record['width']),
                       ('height', record['height']), ('depth', 3)):
        ET.SubElement(size, key).text = str(value)
    ET.SubElement(root, 'segmented').text = '0'
    obj = ET.SubElement(root, 'object')
    ET.SubElement(obj, 'name').text = category
    ET.SubElement(obj, 'pose').text = 'Unspecified'
    ET.SubElement(obj, 'truncated').text = '0'
    ET.SubElement(obj, 'difficult').text = '0'
    box = ET.SubElement(obj, 'bndbox')
    x, y, w, h = (int(round(v)) for v in record['bbox'])
    for key, value in (('xmin', x + 1), ('ymin', y + 1), ('xmax', x + w),
                       ('ymax', y + h)):
        ET.SubElement(box, key).text = str(value)
    ET.indent(root)
    return ET.tostring(root, encoding='utf-8')


def export_voc(src, doc, out, splits, fine_grained) -> None:
    names = {c['id']: c['name'] for c in _categories(doc, fine_grained)}
    voc = os.path.join(out, 'voc', 'VOC2007')
    for split, records in splits.items():
        for record in _bar(records, f'voc {split}'):
            stem = os.path.splitext(_image_name(record))[0]
            _copy(
                os.path.join(src, record['file']),
                os.path.join(voc, 'JPEGImages', _image_name(record)))
            write_bytes_atomic(
                voc_xml(record, names[_category_id(record, fine_grained)]),
                os.path.join(voc, 'Annotations', stem + '.xml'))
        write_lines_atomic(
            [os.path.splitext(_image_name(r))[0] for r in records],
            os.path.join(voc, 'ImageSets', 'Main', SPLITS[split][1] + '.txt'))


def export_ade(src, doc, out, splits, fine_grained) -> None:
    from io import BytesIO
    for split, records in splits.items():
        name = SPLITS[split][2]
        for record in _bar(records, f'ade {split}'):
            stem = os.path.splitext(_image_name(record))[0]
            _copy(
                os.path.join(src, record['file']),
                os.path.join(out, 'ade', 'images', name, _image_name(record)))
            label = _read_mask(src, record).astype(np.uint8) * \
                _category_id(record, fine_grained)
            buf = BytesIO()
            Image.fromarray(label, 'L').save(buf, 'PNG')
            write_bytes_atomic(
                buf.getvalue(),
                os.path.join(out, 'ade', 'annotations', name, stem + '.png'))


def export_synthetic(src: str,
                     out: str,
                     formats: Sequence[str] = FORMATS,
                     fine_grained: bool = False,
                     mask_format: str = 'rle',
                     overwrite: bool = False) -> Dict[str, object]:
    """Export ``src`` (a synthetic CUB folder) to ``out``.

    Args:
        src (str): root made by :func:`~.synthetic.generate_synthetic_cub`.
        out (str): output root; must be missing or empty unless
            ``overwrite`` (then the exported sub-folders are replaced).
        formats (Sequence[str]): any of ``'coco'``, ``'voc'``, ``'ade'``.
        fine_grained (bool): one category per synthetic class instead of a
            single ``bird`` category.
        mask_format (str): ``'rle'`` (exact) or ``'polygon'``.
        overwrite (bool): replace a previous export.

    Returns:
        dict: what ``export_info.json`` holds (counts, categories, paths).
    """
    formats = list(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f'formats must be a non-empty subset of {FORMATS}, '
                         f'got {formats}')
    if mask_format not in MASK_FORMATS:
        raise ValueError(f'mask_format must be one of {MASK_FORMATS}, got '
                         f'{mask_format!r}')
    doc = load_source(src)
    if os.path.isdir(out) and os.listdir(out):
        if not overwrite:
            raise FileExistsError(
                f'Output folder {out!r} is not empty; pass --overwrite '
                '(overwrite=True) to replace the export, or choose an empty '
                'folder.')
        info_path = os.path.join(out, 'export_info.json')
        if os.path.isfile(info_path):
            os.remove(info_path)
        for name in FORMATS:
            if os.path.isdir(os.path.join(out, name)):
                shutil.rmtree(os.path.join(out, name))
    os.makedirs(out, exist_ok=True)
    splits = {
        split: [r for r in doc['images'] if r['split'] == split]
        for split in ('train', 'test')
    }
    if 'coco' in formats:
        export_coco(src, doc, out, splits, fine_grained, mask_format)
    if 'voc' in formats:
        export_voc(src, doc, out, splits, fine_grained)
    if 'ade' in formats:
        export_ade(src, doc, out, splits, fine_grained)
    info = dict(
        source=os.path.abspath(src),
        formats=formats,
        fine_grained=fine_grained,
        mask_format=mask_format,
        categories=[c['name'] for c in _categories(doc, fine_grained)],
        keypoints=list(PART_NAMES),
        num_train=len(splits['train']),
        num_test=len(splits['test']),
        size=doc['info']['size'])
    write_bytes_atomic(
        json.dumps(info, indent=1).encode('utf-8'),
        os.path.join(out, 'export_info.json'))
    return info


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog='python -m mmssl_addons.synthetic.export',
        description='Export a synthetic CUB-layout dataset to COCO '
        '(instances + keypoints), VOC and ADE20K-style layouts.')
    parser.add_argument(
        '--src', required=True, help='synthetic dataset root (CUB layout)')
    parser.add_argument('--out', required=True, help='output root')
    parser.add_argument(
        '--formats',
        default=','.join(FORMATS),
        help='comma-separated subset of coco,voc,ade (default: all)')
    parser.add_argument(
        '--fine-grained',
        action='store_true',
        help='one category per synthetic class instead of "bird"')
    parser.add_argument(
        '--mask-format',
        choices=MASK_FORMATS,
        default='rle',
        help='COCO segmentation as exact RLE (default) or polygons')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace a previous export')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        info = export_synthetic(
            args.src,
            args.out,
            formats=[f for f in args.formats.split(',') if f],
            fine_grained=args.fine_grained,
            mask_format=args.mask_format,
            overwrite=args.overwrite)
    except (ValueError, FileExistsError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'Exported {info["num_train"]} train / {info["num_test"]} test '
          f'images as {", ".join(info["formats"])} to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
