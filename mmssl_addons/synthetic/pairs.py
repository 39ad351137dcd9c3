"""Controlled pairs of the synthetic bird images (background invariance).

From one seed, three scenes are rendered:

- ``anchor``: object A on background A, identical to
  :func:`~mmssl_addons.synthetic.render_sample` of that seed (so
  the anchor of a dataset image is the image itself);
- ``background``: the *same* object A (class, pose, colours, position) on
  another background B;
- ``object``: another object B (another class and other nuisance factors)
  on the *same* background A.

A frozen feature that ignores the background moves little from the anchor
to ``background`` and much to ``object`` (see
:func:`mmssl_addons.evaluation.functional.background_sensitivity`).

Python::

    from mmssl_addons.synthetic.pairs import render_controlled_pair
    scenes = render_controlled_pair((0, 7), class_id=3, size=96,
                                    num_classes=20)
    image, mask, parts = scenes['background']

Files (``python -m mmssl_addons.synthetic ... --controlled-pairs``)
for every test image ``<folder>/<name>``::

    pairs/background/images/<folder>/<name>.jpg
    pairs/background/segmentations/<folder>/<name>.png
    pairs/object/images/<folder>/<name>.jpg
    pairs/object/segmentations/<folder>/<name>.png
    pairs/pairs.json     [{id, anchor, anchor_mask, background,
                           background_mask, object, object_mask,
                           class_id, object_class_id}], paths relative to
                          the dataset root, class ids 1-based
"""
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmssl_addons.utils.atomic_io import write_bytes_atomic
from .attributes import MAX_CLASSES
from .drawing import (MAX_SIZE, MIN_SIZE, Difficulty, _check_int_range,
                      image_seed, render_scene)
from .layout import encode_jpeg, encode_mask_png

PAIR_KINDS = ('background', 'object')


def _pair_rngs(seed) -> Tuple[np.random.Generator, ...]:
    """``(bg_a, obj_a, bg_b, obj_b, choice)`` generators of one seed;
    ``bg_a`` and ``obj_a`` are the ones ``render_sample`` uses."""
    if isinstance(seed, np.random.Generator):
        raise ValueError('controlled pairs need a reproducible seed (int, '
                         'int sequence or SeedSequence), not a Generator.')
    seq = seed if isinstance(
        seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return tuple(
        np.random.default_rng(
            np.random.SeedSequence(
                seq.entropy, spawn_key=tuple(seq.spawn_key) + (k, )))
        for k in range(5))


def render_controlled_pair(
        seed,
        class_id: int,
        size: int,
        num_classes: int,
        difficulty: Optional[Difficulty] = None,
        other_class_id: Optional[int] = None) -> Dict[str, object]:
    """Anchor, background-swapped and object-swapped scenes of one seed.

    Args:
        seed: int, int sequence (e.g. ``(seed, index)``) or SeedSequence.
        class_id (int): 0-based class of the anchor object.
        size (int): Image side in pixels.
        num_classes (int): Number of classes, in ``[2, MAX_CLASSES]``.
        difficulty (Difficulty, optional): Difficulty knobs.
        other_class_id (int, optional): 0-based class of the swapped-in
            object; default: drawn from the seed among the other classes.

    Returns:
        dict: ``anchor``, ``background``, ``object``: each ``(image (H, W,
        3) uint8, mask (H, W) bool, parts dict)`` as ``render_sample``
        returns them; ``object_class_id`` (0-based).
    """
    _check_int_range('num_classes', num_classes, 2, MAX_CLASSES)
    _check_int_range('class_id', class_id, 0, num_classes - 1)
    _check_int_range('size', size, MIN_SIZE, MAX_SIZE)
    bg_a, obj_a, bg_b, obj_b, choice = _pair_rngs(seed)
    if other_class_id is None:
        other_class_id = (class_id + 1 +
                          int(choice.integers(num_classes - 1))) % num_classes
    _check_int_range('other_class_id', other_class_id, 0, num_classes - 1)
    if other_class_id == class_id:
        raise ValueError('other_class_id must differ from class_id (the '
                         'swapped-in object is of another class).')
    # Each scene re-creates its generators: a scene must not see the draws
    # of another.
    anchor = render_scene(bg_a, obj_a, class_id, size, difficulty)
    bg_a2, obj_a2, bg_b, obj_b, _ = _pair_rngs(seed)
    background = render_scene(bg_b, obj_a2, class_id, size, difficulty)
    obj = render_scene(bg_a2, obj_b, other_class_id, size, difficulty)
    return dict(
        anchor=anchor,
        background=background,
        object=obj,
        object_class_id=other_class_id)


def write_controlled_pairs(root: str, records: Sequence[dict], seed: int,
                           size: int, num_classes: int,
                           difficulty: Optional[Difficulty]) -> List[dict]:
    """Write the pairs of every test record under ``<root>/pairs/``."""
    rows = []
    for record in records:
        if record['split'] != 'test':
            continue
        index = record['id'] - 1
        rel = record['file'][len('images/'):-len('.jpg')]
        scenes = render_controlled_pair(
            image_seed(seed, index), record['class_id'] - 1, size, num_classes,
            difficulty)
        row = dict(
            id=record['id'],
            anchor=record['file'],
            anchor_mask=record['mask_file'],
            class_id=record['class_id'],
            object_class_id=scenes['object_class_id'] + 1)
        for kind in PAIR_KINDS:
            image, mask, _ = scenes[kind]
            files = (f'pairs/{kind}/images/{rel}.jpg',
                     f'pairs/{kind}/segmentations/{rel}.png')
            for path, data in zip(files,
                                  (encode_jpeg(image), encode_mask_png(mask))):
                full = os.path.join(root, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                write_bytes_atomic(data, full)
            row[kind], row[f'{kind}_mask'] = files
        rows.append(row)
    write_bytes_atomic(
        json.dumps(rows, indent=1).encode('utf-8'),
        os.path.join(root, 'pairs', 'pairs.json'))
    return rows


def read_pairs(root: str) -> List[dict]:
    """The rows of ``<root>/pairs/pairs.json`` (clear error if absent)."""
    path = os.path.join(root, 'pairs', 'pairs.json')
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: generate the dataset with --controlled-pairs '
            '(python -m mmssl_addons.synthetic ... '
            '--controlled-pairs).')
    with open(path) as f:
        return json.load(f)
