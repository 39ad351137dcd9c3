"""Register COCO- and VOC-format datasets with detectron2 from the command
line, so that ``DATASETS.TRAIN`` / ``DATASETS.TEST`` can name them.

``train_net.py`` options (each repeatable)::

    --register-coco NAME JSON IMAGE_ROOT   # detectron2 register_coco_instances
    --register-voc NAME VOC_DIR SPLIT      # detectron2 register_pascal_voc

A COCO file whose masks are RLE (``segmentation`` dicts, as in our
synthetic export) needs ``INPUT.MASK_FORMAT bitmask``: detectron2's default
``polygon`` cannot read them. :func:`config_overrides` sets it when a
registered training set has RLE masks and the command line does not choose
a mask format, and sets ``MODEL.ROI_HEADS.NUM_CLASSES`` to the number of
categories of the registered training sets when the command line does not.

VOC: the class names are read from the split's annotation XMLs (sorted);
the year (the VOC07 11-point metric or not) is 2007 when the folder name
contains ``2007``, else 2012, as detectron2's built-in VOC names do.

The readers here need no detectron2; only :func:`register` imports it.
"""
import json
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence, Tuple


def add_register_args(parser) -> None:
    """Add ``--register-coco`` / ``--register-voc`` to an argparse parser."""
    parser.add_argument(
        '--register-coco',
        nargs=3,
        action='append',
        default=[],
        metavar=('NAME', 'JSON', 'IMAGE_ROOT'),
        help='register a COCO-format instances file as dataset NAME '
        '(repeatable)')
    parser.add_argument(
        '--register-voc',
        nargs=3,
        action='append',
        default=[],
        metavar=('NAME', 'VOC_DIR', 'SPLIT'),
        help='register a Pascal VOC folder (Annotations/, JPEGImages/, '
        'ImageSets/Main/SPLIT.txt) as dataset NAME (repeatable)')


def _check_coco(name: str, json_file: str, image_root: str) -> dict:
    if not osp.isfile(json_file):
        raise FileNotFoundError(
            f'--register-coco {name}: annotation file not found: {json_file}')
    if not osp.isdir(image_root):
        raise FileNotFoundError(
            f'--register-coco {name}: image folder not found: {image_root}')
    try:
        with open(json_file) as f:
            doc = json.load(f)
    except json.JSONDecodeError as err:
        raise ValueError(f'--register-coco {name}: {json_file} is not JSON: '
                         f'{err}') from err
    if not isinstance(doc, dict) or not doc.get('images'):
        raise ValueError(
            f'--register-coco {name}: {json_file} has no "images": it is not '
            'a COCO instances file (or it is empty)')
    return doc


def coco_summary(json_file: str,
                 name: str = 'dataset',
                 image_root: str = None) -> Tuple[int, bool]:
    """``(number of categories, whether any mask is RLE)`` of a COCO file."""
    doc = _check_coco(name, json_file, image_root or osp.dirname(json_file))
    rle = any(
        isinstance(ann.get('segmentation'), dict)
        for ann in doc.get('annotations', []))
    return len(doc.get('categories', [])), rle


def voc_split_files(voc_dir: str, split: str) -> List[str]:
    listing = osp.join(voc_dir, 'ImageSets', 'Main', split + '.txt')
    if not osp.isfile(listing):
        raise FileNotFoundError(
            f'--register-voc: split file not found: {listing} (expected '
            'VOC_DIR/ImageSets/Main/SPLIT.txt)')
    with open(listing) as f:
        return [line.strip() for line in f if line.strip()]


def voc_class_names(voc_dir: str, split: str) -> List[str]:
    """Sorted object names found in the split's annotation XMLs."""
    names = set()
    for stem in voc_split_files(voc_dir, split):
        xml = osp.join(voc_dir, 'Annotations', stem + '.xml')
        if not osp.isfile(xml):
            raise FileNotFoundError(f'--register-voc: annotation of {stem} '
                                    f'not found: {xml}')
        for obj in ET.parse(xml).findall('object'):
            names.add(obj.findtext('name').strip())
    if not names:
        raise ValueError(f'--register-voc: no objects in the {split!r} split '
                         f'of {voc_dir}')
    return sorted(names)


def voc_year(voc_dir: str) -> int:
    return 2007 if '2007' in osp.basename(osp.normpath(voc_dir)) else 2012


def check_all(coco: Sequence[Sequence[str]],
              voc: Sequence[Sequence[str]]) -> None:
    """Read every file named by the options (before any process starts).

    Raises:
        FileNotFoundError / ValueError: naming the option and the file.
    """
    for name, json_file, image_root in coco:
        coco_summary(json_file, name, image_root)
    for name, voc_dir, split in voc:
        voc_class_names(voc_dir, split)


def register(coco: Sequence[Sequence[str]],
             voc: Sequence[Sequence[str]]) -> Dict[str, dict]:
    """Register the datasets with detectron2; ``{name: summary}``.

    ``summary``: ``num_classes`` and ``rle`` (COCO masks stored as RLE).
    A name registered before (another process of ``launch``, or a built-in
    dataset) is an error, except when it is ours with the same files.
    """
    from detectron2.data import MetadataCatalog
    from detectron2.data.datasets import (register_coco_instances,
                                          register_pascal_voc)
    out = {}
    for name, json_file, image_root in coco:
        num_classes, rle = coco_summary(json_file, name, image_root)
        if not _already(name, json_file=json_file):
            register_coco_instances(name, {}, json_file, image_root)
        out[name] = dict(num_classes=num_classes, rle=rle)
    for name, voc_dir, split in voc:
        classes = voc_class_names(voc_dir, split)
        if not _already(name, dirname=voc_dir):
            register_pascal_voc(name, voc_dir, split, voc_year(voc_dir),
                                classes)
            MetadataCatalog.get(name).evaluator_type = 'pascal_voc'
        out[name] = dict(num_classes=len(classes), rle=False)
    return out


def _already(name: str, **files) -> bool:
    """True when ``name`` is registered with these files; error if others.
    """
    from detectron2.data import DatasetCatalog, MetadataCatalog
    if name not in DatasetCatalog.list():
        return False
    meta = MetadataCatalog.get(name)
    if all(getattr(meta, k, None) == v for k, v in files.items()):
        return True
    raise ValueError(f'dataset name {name!r} is already registered '
                     '(a detectron2 built-in or another --register-*); '
                     'choose another NAME')


def _opt_given(opts: Sequence[str], key: str) -> bool:
    return key in list(opts)[::2]


def config_overrides(summaries: Dict[str, dict], train: Sequence[str],
                     opts: Sequence[str]) -> List[str]:
    """``KEY VALUE`` options implied by the registered training sets.

    * ``INPUT.MASK_FORMAT bitmask`` when one of them has RLE masks;
    * ``MODEL.ROI_HEADS.NUM_CLASSES`` (and ``MODEL.RETINANET.NUM_CLASSES``)
      when they all are registered here and agree on the count;

    each only when ``opts`` (the command line) does not set it.
    """
    ours = [summaries[n] for n in train if n in summaries]
    extra = []
    if any(s['rle']
           for s in ours) and not _opt_given(opts, 'INPUT.MASK_FORMAT'):
        extra += ['INPUT.MASK_FORMAT', 'bitmask']
    counts = {s['num_classes'] for s in ours}
    if ours and len(ours) == len(train) and len(counts) == 1:
        count = str(counts.pop())
        for key in ('MODEL.ROI_HEADS.NUM_CLASSES',
                    'MODEL.RETINANET.NUM_CLASSES'):
            if not _opt_given(opts, key):
                extra += [key, count]
    return extra
