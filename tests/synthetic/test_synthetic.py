"""Tests for the synthetic CUB-layout dataset generator."""
import json
import os
import os.path as osp
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np
import pytest
from PIL import Image

from mmssl_addons.synthetic import (ATTRIBUTES, MAX_CLASSES, PART_NAMES,
                                    RADICES, SyntheticInfo, class_attributes,
                                    generate_synthetic_cub, layout,
                                    render_sample)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = dict(num_classes=4, per_class=4, size=64, seed=0)
AREA_RANGE = (0.10, 0.40)


def read_pairs(path):
    """``<id> <value ...>`` lines -> {id: [value, ...]}."""
    with open(path) as f:
        rows = [line.split() for line in f if line.strip()]
    return {int(row[0]): row[1:] for row in rows}


def read_all_files(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


@pytest.fixture(scope='module')
def tiny_dataset(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_cub'))
    info = generate_synthetic_cub(root, **TINY)
    with open(osp.join(root, 'annotations.json')) as f:
        annotations = json.load(f)
    return info, annotations


def test_layout_files_exist_and_are_consistent(tiny_dataset):
    info, _ = tiny_dataset
    root = info.root
    assert isinstance(info, SyntheticInfo)
    assert info.num_images == 16 and info.num_train + info.num_test == 16
    for name in ('images.txt', 'image_class_labels.txt',
                 'train_test_split.txt', 'classes.txt', 'bounding_boxes.txt',
                 'annotations.json', 'parts/parts.txt', 'parts/part_locs.txt'):
        assert osp.isfile(osp.join(root, name)), name

    classes = read_pairs(osp.join(root, 'classes.txt'))
    assert sorted(classes) == [1, 2, 3, 4]
    assert classes[1] == ['001.Synth_bird_00']
    assert [classes[i][0] for i in sorted(classes)] == list(info.class_names)
    assert sorted(os.listdir(osp.join(root,
                                      'images'))) == sorted(info.class_names)

    images = read_pairs(osp.join(root, 'images.txt'))
    labels = read_pairs(osp.join(root, 'image_class_labels.txt'))
    split = read_pairs(osp.join(root, 'train_test_split.txt'))
    boxes = read_pairs(osp.join(root, 'bounding_boxes.txt'))
    assert sorted(images) == list(range(1, 17))
    assert images.keys() == labels.keys() == split.keys() == boxes.keys()
    for image_id, (rel, ) in images.items():
        label = int(labels[image_id][0])
        folder = rel.split('/')[0]
        assert folder == classes[label][0]
        assert osp.isfile(osp.join(root, 'images', rel))
        mask_rel = rel[:-len('.jpg')] + '.png'
        assert osp.isfile(osp.join(root, 'segmentations', mask_rel))
        assert split[image_id][0] in ('0', '1')
        assert len(boxes[image_id]) == 4
    assert Counter(int(v[0]) for v in labels.values()) == {
        c: 4
        for c in range(1, 5)
    }

    parts = read_pairs(osp.join(root, 'parts', 'parts.txt'))
    assert [parts[i][0] for i in sorted(parts)] == list(PART_NAMES)
    with open(osp.join(root, 'parts', 'part_locs.txt')) as f:
        locs = [line.split() for line in f]
    assert len(locs) == 16 * len(PART_NAMES)
    assert all(len(row) == 5 for row in locs)
    leftovers = [
        name for _, _, files in os.walk(root) for name in files
        if name.endswith('.tmp')
    ]
    assert leftovers == []


def test_split_is_per_class(tiny_dataset):
    info, _ = tiny_dataset
    labels = read_pairs(osp.join(info.root, 'image_class_labels.txt'))
    split = read_pairs(osp.join(info.root, 'train_test_split.txt'))
    per_class = defaultdict(Counter)
    for image_id, (label, ) in labels.items():
        per_class[label][split[image_id][0]] += 1
    for counts in per_class.values():
        assert counts == {'1': 2, '0': 2}

    # Extreme fractions still keep one train and one test image per class.
    for fraction in (0.01, 0.99):
        is_train = layout.split_class(3, fraction, 0, 0)
        assert 1 <= is_train.sum() <= 2
    np.testing.assert_array_equal(
        layout.split_class(10, 0.3, 5, 2), layout.split_class(10, 0.3, 5, 2))


def test_masks_match_images_and_area(tiny_dataset):
    info, annotations = tiny_dataset
    fractions = []
    for record in annotations['images']:
        image = np.asarray(Image.open(osp.join(info.root, record['file'])))
        mask = np.asarray(Image.open(osp.join(info.root, record['mask_file'])))
        assert image.shape == (64, 64, 3) and image.dtype == np.uint8
        assert mask.shape == (64, 64) and mask.dtype == np.uint8
        assert set(np.unique(mask)) <= {0, 255}
        assert record['area'] == int((mask > 0).sum())
        fractions.append((mask > 0).mean())
    # More samples, two sizes, straight from the renderer.
    for size in (64, 128):
        for index in range(20):
            _, mask, _ = render_sample((3, index), index % 20, size, 20)
            assert mask.shape == (size, size) and mask.dtype == bool
            fractions.append(mask.mean())
    fractions = np.array(fractions)
    assert fractions.min() >= AREA_RANGE[0], fractions.min()
    assert fractions.max() <= AREA_RANGE[1], fractions.max()


def test_bbox_equals_mask_bbox(tiny_dataset):
    info, annotations = tiny_dataset
    boxes = read_pairs(osp.join(info.root, 'bounding_boxes.txt'))
    for record in annotations['images']:
        mask = np.asarray(
            Image.open(osp.join(info.root, record['mask_file']))) > 0
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        expected = [
            cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
        ]
        np.testing.assert_allclose(record['bbox'], expected, atol=1)
        np.testing.assert_allclose([float(v) for v in boxes[record['id']]],
                                   record['bbox'])


def test_keypoints_lie_on_the_object(tiny_dataset):
    info, annotations = tiny_dataset
    locs = defaultdict(dict)
    with open(osp.join(info.root, 'parts', 'part_locs.txt')) as f:
        for line in f:
            image_id, part_id, x, y, v = line.split()
            locs[int(image_id)][int(part_id)] = (float(x), float(y), int(v))
    for record in annotations['images']:
        mask = np.asarray(
            Image.open(osp.join(info.root, record['mask_file']))) > 0
        x0, y0, w, h = record['bbox']
        assert len(record['keypoints']) == len(PART_NAMES)
        for part_id, (x, y, v) in enumerate(record['keypoints'], 1):
            assert locs[record['id']][part_id] == pytest.approx((x, y, v))
            if not v:
                continue
            assert x0 - 1 <= x <= x0 + w + 1 and y0 - 1 <= y <= y0 + h + 1
            col, row = int(np.floor(x)), int(np.floor(y))
            window = mask[max(row - 1, 0):row + 2, max(col - 1, 0):col + 2]
            assert window.any(), (record['id'], PART_NAMES[part_id - 1])


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    args = dict(num_classes=2, per_class=3, size=48)
    first = generate_synthetic_cub(str(tmp_path / 'a'), seed=1, **args)
    generate_synthetic_cub(str(tmp_path / 'b'), seed=1, **args)
    generate_synthetic_cub(str(tmp_path / 'c'), seed=1, workers=2, **args)
    generate_synthetic_cub(str(tmp_path / 'd'), seed=2, **args)
    files = {k: read_all_files(str(tmp_path / k)) for k in 'abcd'}
    assert files['a'] == files['b']
    assert files['a'] == files['c']  # the worker count does not matter
    assert files['a'].keys() == files['d'].keys()
    images = [k for k in files['a'] if k.endswith('.jpg')]
    assert len(images) == first.num_images
    assert all(files['a'][k] != files['d'][k] for k in images)


def test_class_lives_only_in_the_object_region():
    for index in range(6):
        seed = (11, index)
        class_a, class_b = index, MAX_CLASSES - 1 - index
        image_a, mask_a, parts_a = render_sample(seed, class_a, 64,
                                                 MAX_CLASSES)
        image_b, mask_b, parts_b = render_sample(seed, class_b, 64,
                                                 MAX_CLASSES)
        changed = np.any(image_a != image_b, axis=-1)
        assert changed.any()
        assert not (changed & ~(mask_a | mask_b)).any()
        assert parts_a['attributes'] != parts_b['attributes']
        assert parts_a['nuisance'] == parts_b['nuisance']
        for name in ('head_centre', 'eye', 'wing_centre', 'body_centre'):
            assert parts_a['keypoints'][name] == parts_b['keypoints'][name]
    # Equal seeds and class give equal samples, from any seed type.
    sample = render_sample(np.random.SeedSequence((4, 2)), 3, 40, 20)
    again = render_sample((4, 2), 3, 40, 20)
    np.testing.assert_array_equal(sample[0], again[0])
    np.testing.assert_array_equal(sample[1], again[1])


def test_class_code_is_distinct_and_uses_all_attributes():
    codes = {tuple(class_attributes(c).values()) for c in range(MAX_CLASSES)}
    assert len(codes) == MAX_CLASSES >= 200
    twenty = [class_attributes(c) for c in range(20)]
    for name, radix in zip(ATTRIBUTES, RADICES):
        assert {attrs[name] for attrs in twenty} == set(range(radix))
    with pytest.raises(ValueError, match='class_id'):
        class_attributes(MAX_CLASSES)


def test_annotations_json_is_complete(tiny_dataset):
    info, annotations = tiny_dataset
    assert list(annotations) == [
        'info', 'schema', 'attributes', 'parts', 'classes', 'images'
    ]
    assert annotations['info']['num_images'] == info.num_images
    assert [p['name'] for p in annotations['parts']] == list(PART_NAMES)
    assert annotations['attributes']['radices'] == list(RADICES)
    labels = read_pairs(osp.join(info.root, 'image_class_labels.txt'))
    split = read_pairs(osp.join(info.root, 'train_test_split.txt'))
    class_attrs = {c['id']: c['attributes'] for c in annotations['classes']}
    assert len({tuple(a.values()) for a in class_attrs.values()}) == 4
    for record in annotations['images']:
        for key in ('id', 'file', 'mask_file', 'class_id', 'split', 'bbox',
                    'keypoints', 'attributes', 'attribute_names', 'nuisance'):
            assert key in record
        assert int(labels[record['id']][0]) == record['class_id']
        assert split[record['id']][0] == str(record['is_training_image'])
        assert record['split'] == ('train'
                                   if record['is_training_image'] else 'test')
        assert record['attributes'] == class_attrs[record['class_id']]
        assert set(record['attribute_names']) == set(ATTRIBUTES)


def test_refuses_non_empty_folder(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'notes.txt').write_text('keep me')
    with pytest.raises(FileExistsError) as err:
        generate_synthetic_cub(str(out), num_classes=3, per_class=2, size=32)
    assert str(out) in str(err.value) and '--overwrite' in str(err.value)
    assert sorted(os.listdir(out)) == ['notes.txt']

    generate_synthetic_cub(
        str(out), num_classes=3, per_class=2, size=32, overwrite=True)
    assert osp.isdir(out / 'images' / '003.Synth_bird_02')
    info = generate_synthetic_cub(
        str(out), num_classes=2, per_class=2, size=32, overwrite=True)
    # Stale class folders are gone, unrelated files are kept.
    assert sorted(os.listdir(out / 'images')) == list(info.class_names)
    assert (out / 'notes.txt').read_text() == 'keep me'


def test_interrupted_run_does_not_look_complete(tmp_path, monkeypatch):
    real = layout._render_and_write
    calls = []

    def flaky(job):
        calls.append(job)
        if len(calls) == 3:
            raise RuntimeError('simulated crash')
        return real(job)

    monkeypatch.setattr(layout, '_render_and_write', flaky)
    out = tmp_path / 'out'
    with pytest.raises(RuntimeError, match='simulated crash'):
        generate_synthetic_cub(str(out), num_classes=2, per_class=3, size=32)
    for name in layout.INDEX_FILES:
        assert not osp.exists(out / name), name
    written = [name for _, _, files in os.walk(out) for name in files]
    assert len([n for n in written if n.endswith('.jpg')]) == 2
    assert not [n for n in written if n.endswith('.tmp')]


@pytest.mark.parametrize('kwargs, words', [
    (dict(num_classes=1), ('num_classes', '--classes', f'[2, {MAX_CLASSES}]')),
    (dict(num_classes=MAX_CLASSES + 1), ('num_classes', '--classes')),
    (dict(per_class=1), ('per_class', '--per-class', '[2,')),
    (dict(size=31), ('size', '--size', '[32,')),
    (dict(test_fraction=0.0), ('test_fraction', '(0, 1)')),
    (dict(test_fraction=1.0), ('test_fraction', '(0, 1)')),
    (dict(seed=-1), ('seed', )),
    (dict(workers=0), ('workers', )),
])
def test_bad_arguments(tmp_path, kwargs, words):
    args = dict(num_classes=2, per_class=2, size=32)
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        generate_synthetic_cub(str(tmp_path / 'out'), **args)
    for word in words:
        assert word in str(err.value)
    assert not osp.exists(tmp_path / 'out')


def test_command_line(tmp_path):
    out = tmp_path / 'cli'
    cmd = [
        sys.executable, '-m', 'mmssl_addons.synthetic', '--out',
        str(out), '--classes', '3', '--per-class', '3', '--size', '32',
        '--seed', '5', '--test-fraction', '0.34'
    ]
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [REPO_ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    done = subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'Wrote 9 images' in done.stdout
    split = read_pairs(osp.join(out, 'train_test_split.txt'))
    assert Counter(v[0] for v in split.values()) == {'1': 6, '0': 3}

    again = subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120)
    assert again.returncode != 0
    assert '--overwrite' in again.stderr and str(out) in again.stderr
    bad = subprocess.run(
        cmd[:3] + [str(tmp_path / 'x'), '--classes', '1'],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120)
    assert bad.returncode != 0 and '--classes' in bad.stderr


def test_mmpretrain_cub_reads_the_output(tiny_dataset):
    pytest.importorskip('mmpretrain')
    from mmpretrain.datasets import CUB

    info, annotations = tiny_dataset
    expected = defaultdict(list)
    for record in annotations['images']:
        expected[record['split']].append(
            (osp.join(info.root, record['file']), record['class_id'] - 1))
    for split in ('train', 'test'):
        dataset = CUB(data_root=info.root, split=split)
        assert len(dataset) == len(expected[split])
        got = [(osp.normpath(dataset.get_data_info(i)['img_path']),
                dataset.get_data_info(i)['gt_label'])
               for i in range(len(dataset))]
        assert got == [(osp.normpath(p), label)
                       for p, label in expected[split]]
    train = CUB(
        data_root=info.root,
        split='train',
        metainfo=dict(classes=info.class_names))
    assert tuple(train.CLASSES) == info.class_names
