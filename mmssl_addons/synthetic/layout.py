"""The synthetic birds on disk, in the exact CUB_200_2011 layout.

Python::

    from mmssl_addons.synthetic import generate_synthetic_cub
    info = generate_synthetic_cub('data/synthetic_cub', num_classes=20)

Output layout (``mmpretrain.datasets.CUB`` reads it unchanged)::

    <out>/
    ├── images/001.Synth_bird_00/Synth_bird_00_0001.jpg   (H, W, 3) JPEG q95
    ├── segmentations/001.Synth_bird_00/Synth_bird_00_0001.png
    │                                   (H, W) uint8, 255 = object, 0 = bg
    ├── part_segmentations/001.Synth_bird_00/Synth_bird_00_0001.png
    │                   (H, W) uint8 part labels (PART_MASK_LABELS: 0 = bg,
    │                   1 head, 2 beak, 3 tail, 4 wing_stripe, 5 other)
    ├── pairs/           only with --controlled-pairs (see pairs.py)
    ├── parts/parts.txt          <part_id> <part_name>
    ├── parts/part_locs.txt      <image_id> <part_id> <x> <y> <visible>
    ├── classes.txt              <class_id> <class_folder>
    ├── image_class_labels.txt   <image_id> <class_id>
    ├── train_test_split.txt     <image_id> <1 = train | 0 = test>
    ├── bounding_boxes.txt       <image_id> <x> <y> <width> <height>
    ├── annotations.json         everything above in one file (see below)
    └── images.txt               <image_id> <path relative to images/>

All ids are 1-based as in CUB. Images are numbered class by class.
``images.txt`` is written last of all: its presence marks a complete
dataset. Every file is written to a temporary file in the same folder and
then moved into place with :func:`os.replace`.

Coordinates: pixel ``(col, row)`` covers ``[col, col + 1) x [row, row + 1)``
(the COCO convention). ``bbox = [x, y, w, h]`` is the tight box of the mask,
so ``x = min col``, ``w = max col - min col + 1``. Keypoints ``(x, y)`` are
continuous positions in the same frame; the pixel under a keypoint is
``(floor(x), floor(y))``. A keypoint is visible (``v = 1``) when it lies
inside the image; invisible keypoints are written as ``0 0 0`` (as CUB and
COCO do). With the current placement the whole object is always inside the
image, so every keypoint is visible.

``annotations.json`` (keys in this order)::

    info         generator name, version, seed, size, counts, test_fraction
    schema       a short description of every field (this text, as data)
    attributes   {attr name: [value names]} and the class code radices
    parts        [{id, name}]  (ids as in parts/parts.txt)
    classes      [{id, name, folder, attributes: {attr: value index}}]
    images       [{id, file, mask_file, width, height, class_id,
                   class_name, split ('train' | 'test'), is_training_image,
                   bbox [x, y, w, h], area (mask pixels),
                   keypoints [[x, y, v]] in part-id order,
                   attributes {attr: value index},
                   attribute_names {attr: value name},
                   nuisance {body_rgb, beak_rgb, scale, rotation_deg,
                             flipped, ...}}]
"""
import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from mmssl_addons.utils.atomic_io import write_bytes_atomic, write_lines_atomic
from .attributes import (ATTRIBUTES, MAX_CLASSES, MIN_CLASSES,
                         PART_MASK_LABELS, PART_NAMES, RADICES,
                         class_attribute_names, class_attributes)
from .drawing import (DEFAULT_DIFFICULTY, MAX_SIZE, MIN_SIZE, Difficulty,
                      _check_int_range, image_seed, render_sample)

GENERATOR_VERSION = '1.0'

MIN_PER_CLASS, MAX_PER_CLASS = 2, 100000
INDEX_FILES = ('images.txt', 'image_class_labels.txt', 'train_test_split.txt',
               'classes.txt', 'bounding_boxes.txt', 'annotations.json',
               'parts/parts.txt', 'parts/part_locs.txt')
_GENERATED_DIRS = ('images', 'segmentations', 'parts', 'part_segmentations',
                   'pairs')


@dataclass(frozen=True)
class SyntheticInfo:
    """What :func:`generate_synthetic_cub` wrote.

    Attributes:
        root (str): Dataset root (the ``data_root`` of mmpretrain's CUB).
        num_classes (int): Number of classes.
        per_class (int): Images per class.
        size (int): Image side in pixels, images are ``(size, size, 3)``.
        seed (int): Base seed.
        num_train (int): Number of training images.
        num_test (int): Number of test images.
        class_names (tuple[str]): Class folders, e.g. ``001.Synth_bird_00``.
    """

    root: str
    num_classes: int
    per_class: int
    size: int
    seed: int
    num_train: int
    num_test: int
    class_names: Tuple[str, ...]

    @property
    def num_images(self) -> int:
        """Total number of images."""
        return self.num_train + self.num_test

    @property
    def images_dir(self) -> str:
        """Folder with ``<class_folder>/<name>.jpg``."""
        return os.path.join(self.root, 'images')

    @property
    def segmentations_dir(self) -> str:
        """Folder with ``<class_folder>/<name>.png`` foreground masks."""
        return os.path.join(self.root, 'segmentations')

    @property
    def annotations_file(self) -> str:
        """The all-in-one ``annotations.json``."""
        return os.path.join(self.root, 'annotations.json')


def class_folder_names(num_classes: int) -> List[str]:
    """CUB-style class folders: ``001.Synth_bird_00``, ``002...``."""
    width = max(2, len(str(num_classes - 1)))
    return [
        f'{i + 1:03d}.Synth_bird_{i:0{width}d}' for i in range(num_classes)
    ]


def encode_jpeg(image: np.ndarray) -> bytes:
    """(H, W, 3) uint8 -> JPEG bytes, quality 95, no chroma subsampling
    (keeps thin coloured parts such as wing stripes)."""
    buf = BytesIO()
    Image.fromarray(image, 'RGB').save(buf, 'JPEG', quality=95, subsampling=0)
    return buf.getvalue()


def encode_mask_png(mask: np.ndarray) -> bytes:
    """(H, W) bool -> 8-bit PNG bytes with values 0 / 255."""
    buf = BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255, 'L').save(buf, 'PNG')
    return buf.getvalue()


def encode_label_png(labels: np.ndarray) -> bytes:
    """(H, W) uint8 label map -> 8-bit PNG bytes (values unchanged)."""
    buf = BytesIO()
    Image.fromarray(labels.astype(np.uint8), 'L').save(buf, 'PNG')
    return buf.getvalue()


def read_part_masks(path: str) -> Dict[str, np.ndarray]:
    """Read a ``part_segmentations/`` PNG into ``{part: (H, W) bool}``
    for the class-defining parts (``head``, ``beak``, ``tail``,
    ``wing_stripe``) and ``object`` (every non-background pixel)."""
    labels = np.asarray(Image.open(path))
    if labels.ndim != 2 or labels.max() >= len(PART_MASK_LABELS):
        raise ValueError(f'{path} is not a part label map (2-D, values < '
                         f'{len(PART_MASK_LABELS)}).')
    out = {
        name: labels == i
        for i, name in enumerate(PART_MASK_LABELS)
        if name not in ('background', 'other')
    }
    out['object'] = labels > 0
    return out


def validate_arguments(num_classes, per_class, size, seed, test_fraction,
                       workers) -> None:
    """Clear ValueErrors for out-of-range generator arguments."""
    _check_int_range('num_classes', num_classes, MIN_CLASSES, MAX_CLASSES,
                     '--classes')
    _check_int_range('per_class', per_class, MIN_PER_CLASS, MAX_PER_CLASS,
                     '--per-class')
    _check_int_range('size', size, MIN_SIZE, MAX_SIZE, '--size')
    _check_int_range('seed', seed, 0, 2**63 - 1, '--seed')
    _check_int_range('workers', workers, 1, 256, '--workers')
    if not (isinstance(test_fraction,
                       (int, float)) and 0.0 < test_fraction < 1.0):
        raise ValueError('test_fraction (--test-fraction) must be a number '
                         f'in (0, 1), got {test_fraction!r}')


def split_class(per_class: int, test_fraction: float, seed: int,
                class_id: int) -> np.ndarray:
    """(per_class,) bool, True = train. ``round(test_fraction * per_class)``
    test images, clamped so each class keeps >= 1 train and >= 1 test."""
    num_test = int(round(test_fraction * per_class))
    num_test = min(max(num_test, 1), per_class - 1)
    rng = np.random.default_rng(
        np.random.SeedSequence((int(seed), 2**32 + class_id)))
    is_train = np.ones(per_class, dtype=bool)
    is_train[rng.permutation(per_class)[:num_test]] = False
    return is_train


def prepare_output_dir(out_dir: str, overwrite: bool) -> None:
    """Create ``out_dir``; refuse a non-empty one unless ``overwrite``.

    With ``overwrite`` the index files are removed first (so the folder no
    longer looks complete) and then the generated sub-folders ``images/``,
    ``segmentations/`` and ``parts/``. Other files are left alone.
    """
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise FileExistsError(f'Output path {out_dir!r} exists and is not a '
                              'folder.')
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        if not overwrite:
            raise FileExistsError(
                f'Output folder {out_dir!r} is not empty; refusing to write '
                'into it. Pass --overwrite (overwrite=True) to replace the '
                'dataset there, or choose an empty folder.')
        for name in INDEX_FILES:
            path = os.path.join(out_dir, name)
            if os.path.isfile(path):
                os.remove(path)
        for name in _GENERATED_DIRS:
            path = os.path.join(out_dir, name)
            if os.path.isdir(path):
                shutil.rmtree(path)
    os.makedirs(out_dir, exist_ok=True)


def _render_and_write(job: Tuple) -> dict:
    """Render one image, write its JPEG and mask; return its record."""
    (root, index, image_id, class_id, folder, name, size, num_classes, seed,
     is_train, difficulty) = job
    image, mask, parts = render_sample(
        image_seed(seed, index), class_id, size, num_classes, difficulty)
    rel_image = f'{folder}/{name}.jpg'
    rel_mask = f'{folder}/{name}.png'
    write_bytes_atomic(
        encode_jpeg(image), os.path.join(root, 'images', rel_image))
    write_bytes_atomic(
        encode_mask_png(mask), os.path.join(root, 'segmentations', rel_mask))
    write_bytes_atomic(
        encode_label_png(parts['part_labels']),
        os.path.join(root, 'part_segmentations', rel_mask))
    return dict(
        id=image_id,
        file=f'images/{rel_image}',
        mask_file=f'segmentations/{rel_mask}',
        part_mask_file=f'part_segmentations/{rel_mask}',
        width=size,
        height=size,
        class_id=class_id + 1,
        class_name=folder,
        split='train' if is_train else 'test',
        is_training_image=int(is_train),
        bbox=parts['bbox'],
        area=parts['area'],
        keypoints=[parts['keypoints'][p] for p in PART_NAMES],
        attributes=parts['attributes'],
        attribute_names=parts['attribute_names'],
        nuisance=parts['nuisance'],
    )


def _schema() -> Dict[str, str]:
    """Field documentation stored inside annotations.json."""
    return {
        'ids':
        '1-based, as in CUB; images are numbered class by class',
        'coordinates':
        'pixel (col, row) covers [col, col+1) x [row, row+1)'
        '; keypoint pixel is (floor(x), floor(y))',
        'file':
        'image path relative to the dataset root',
        'mask_file':
        'foreground mask (uint8 PNG, 0 / 255) relative to the '
        'dataset root; same size as the image',
        'part_mask_file':
        'part label map (uint8 PNG) relative to the dataset root; '
        'values index info.part_mask_labels; visible pixels only; '
        'label > 0 equals the foreground mask',
        'bbox':
        '[x, y, w, h]: tight box of the mask',
        'area':
        'number of foreground pixels in the mask',
        'keypoints':
        '[[x, y, v]] in parts order; v = 1 inside the image, '
        'invisible keypoints are [0, 0, 0]',
        'attributes':
        'class-defining part attributes as value indices into '
        'the top-level attributes table',
        'nuisance':
        'class-independent factors: body/beak colour (RGB), '
        'scale (pixels per object unit), rotation (deg), '
        'horizontal flip, body semi-axes, head radius, tail length '
        '(object units)',
        'class_code':
        'class c (0-based) has attribute i = c mod radices[i]',
    }


def _annotation_document(records, class_names, info: dict) -> dict:
    """The all-in-one annotations.json content."""
    classes = [
        dict(
            id=i + 1,
            name=name,
            folder=name,
            attributes=class_attributes(i),
            attribute_names=class_attribute_names(i))
        for i, name in enumerate(class_names)
    ]
    return dict(
        info=info,
        schema=_schema(),
        attributes=dict(
            values={
                k: list(v)
                for k, v in ATTRIBUTES.items()
            },
            radices=list(RADICES)),
        parts=[dict(id=i + 1, name=n) for i, n in enumerate(PART_NAMES)],
        classes=classes,
        images=records,
    )


def write_index_files(root: str, records: List[dict],
                      class_names: Sequence[str], info: dict) -> None:
    """Write the CUB txt files and annotations.json; images.txt last."""
    write_lines_atomic(
        [f'{i + 1} {name}' for i, name in enumerate(PART_NAMES)],
        os.path.join(root, 'parts', 'parts.txt'))
    write_lines_atomic([
        f'{r["id"]} {p + 1} {x:.2f} {y:.2f} {v}' for r in records
        for p, (x, y, v) in enumerate(r['keypoints'])
    ], os.path.join(root, 'parts', 'part_locs.txt'))
    write_lines_atomic([
        f'{r["id"]} ' + ' '.join(f'{v:.1f}' for v in r['bbox'])
        for r in records
    ], os.path.join(root, 'bounding_boxes.txt'))
    write_lines_atomic(
        [f'{i + 1} {name}' for i, name in enumerate(class_names)],
        os.path.join(root, 'classes.txt'))
    write_lines_atomic([f'{r["id"]} {r["class_id"]}' for r in records],
                       os.path.join(root, 'image_class_labels.txt'))
    write_lines_atomic(
        [f'{r["id"]} {r["is_training_image"]}' for r in records],
        os.path.join(root, 'train_test_split.txt'))
    document = _annotation_document(records, class_names, info)
    write_bytes_atomic(
        json.dumps(document, indent=1).encode('utf-8'),
        os.path.join(root, 'annotations.json'))
    write_lines_atomic(
        [f'{r["id"]} {r["file"][len("images/"):]}' for r in records],
        os.path.join(root, 'images.txt'))


def _make_jobs(root,
               num_classes,
               per_class,
               size,
               seed,
               test_fraction,
               class_names,
               difficulty=None) -> List[Tuple]:
    """One job tuple per image, class by class."""
    jobs = []
    for class_id, folder in enumerate(class_names):
        is_train = split_class(per_class, test_fraction, seed, class_id)
        stem = folder.split('.', 1)[1]
        for k in range(per_class):
            index = class_id * per_class + k
            jobs.append((root, index, index + 1, class_id, folder,
                         f'{stem}_{k + 1:04d}', size, num_classes, seed,
                         bool(is_train[k]), difficulty))
    return jobs


def generate_synthetic_cub(out_dir: str,
                           num_classes: int = 20,
                           per_class: int = 40,
                           size: int = 128,
                           seed: int = 0,
                           test_fraction: float = 0.5,
                           overwrite: bool = False,
                           workers: int = 1,
                           difficulty: Optional[Difficulty] = None,
                           controlled_pairs: bool = False,
                           progress: bool = False) -> SyntheticInfo:
    """Generate the synthetic dataset in CUB_200_2011 layout.

    Args:
        out_dir (str): Dataset root; must be missing or empty unless
            ``overwrite``.
        num_classes (int): In ``[2, MAX_CLASSES]``. Default 20.
        per_class (int): Images per class, >= 2. Default 40.
        size (int): Image side in pixels, >= 32. Default 128.
        seed (int): Base seed (>= 0); image ``i`` uses ``(seed, i)``.
        test_fraction (float): Share of each class in the test split, in
            (0, 1). Default 0.5.
        overwrite (bool): Replace an existing dataset in ``out_dir``.
        workers (int): Processes used for rendering. The output does not
            depend on it. Default 1.
        difficulty (Difficulty, optional): Difficulty knobs (object scale,
            clutter, attribute subtlety); None = the defaults.
        controlled_pairs (bool): Also write, for every test image, the same
            object on another background and another object on the same
            background under ``pairs/`` (see :mod:`.pairs`).
        progress (bool): Show a bar over the rendered images.

    Returns:
        SyntheticInfo: paths and counts.
    """
    validate_arguments(num_classes, per_class, size, seed, test_fraction,
                       workers)
    if difficulty is not None and not isinstance(difficulty, Difficulty):
        raise ValueError('difficulty must be a Difficulty(object_scale, '
                         f'clutter, subtlety), got {difficulty!r}')
    difficulty = difficulty or DEFAULT_DIFFICULTY
    root = os.fspath(out_dir)
    prepare_output_dir(root, overwrite)
    class_names = class_folder_names(num_classes)
    for sub in ('images', 'segmentations', 'part_segmentations'):
        for folder in class_names:
            os.makedirs(os.path.join(root, sub, folder), exist_ok=True)
    os.makedirs(os.path.join(root, 'parts'), exist_ok=True)

    jobs = _make_jobs(root, num_classes, per_class, size, seed, test_fraction,
                      class_names, difficulty)
    from tqdm import tqdm
    bar = tqdm(
        total=len(jobs), desc='rendering', unit='img', disable=not progress)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(jobs) // (32 * workers))
            records = []
            for record in pool.map(_render_and_write, jobs, chunksize=chunk):
                records.append(record)
                bar.update(1)
    else:
        records = []
        for job in jobs:
            records.append(_render_and_write(job))
            bar.update(1)
    bar.close()

    num_train = sum(r['is_training_image'] for r in records)
    info = dict(
        description='Synthetic fine-grained birds in CUB_200_2011 layout',
        # the module's name when the format was fixed (same bytes since)
        generator='mmssl_addons.datasets.synthetic',
        version=GENERATOR_VERSION,
        seed=seed,
        size=size,
        num_classes=num_classes,
        per_class=per_class,
        test_fraction=test_fraction,
        num_images=len(records),
        num_train=num_train,
        num_test=len(records) - num_train,
        difficulty=difficulty.as_dict(),
        part_mask_labels=list(PART_MASK_LABELS),
    )
    if controlled_pairs:
        from .pairs import write_controlled_pairs
        write_controlled_pairs(root, records, seed, size, num_classes,
                               difficulty)
    write_index_files(root, records, class_names, info)
    return SyntheticInfo(
        root=root,
        num_classes=num_classes,
        per_class=per_class,
        size=size,
        seed=seed,
        num_train=num_train,
        num_test=len(records) - num_train,
        class_names=tuple(class_names))
