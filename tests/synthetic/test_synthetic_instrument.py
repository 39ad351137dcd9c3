"""The synthetic generator as an instrument: difficulty knobs, part masks
and controlled pairs."""
import hashlib
import json
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmssl_addons.synthetic import (ATTRIBUTES, HEAD_COLOURS, PART_MASK_LABELS,
                                    Difficulty, class_attributes,
                                    generate_synthetic_cub, read_pairs,
                                    read_part_masks, render_controlled_pair,
                                    render_sample)
from mmssl_addons.synthetic.cli import main

# sha1 of render_sample((3, c), c, 64, 20) image / mask bytes, computed with
# the generator before the knobs, part masks and pairs existed.
FROZEN = {
    1: ('40ff02b79d47c04cf9aded5713ce052365bf4504',
        'c3f80ce7fba02af0fbf7252e710d26dac02aa642'),
    7: ('e0df70a99aaa249d3894930d1d35a21a0c35770a',
        'ac0fb352d1199d3796a319aed9c3bfa66ccc3831'),
}


def sha1(array):
    return hashlib.sha1(np.ascontiguousarray(array).tobytes()).hexdigest()


@pytest.mark.parametrize('class_id', sorted(FROZEN))
def test_default_difficulty_keeps_the_original_images(class_id):
    for difficulty in (None, Difficulty()):
        image, mask, _ = render_sample((3, class_id), class_id, 64, 20,
                                       difficulty)
        assert (sha1(image), sha1(mask)) == FROZEN[class_id]


def test_object_scale_changes_the_mask_share():
    shares = {}
    for scale in (0.6, 1.0):
        shares[scale] = np.mean([
            render_sample((1, i), i % 20, 64, 20,
                          Difficulty(object_scale=scale))[1].mean()
            for i in range(12)
        ])
    # area goes with the square of the linear size, except where the
    # fit-inside cap shrinks the default objects (measured ratio 0.48)
    assert 0.3 * shares[1.0] < shares[0.6] < 0.6 * shares[1.0]


def test_clutter_zero_gives_a_plain_background():

    def roughness(clutter):
        out = []
        for i in range(8):
            image, mask, _ = render_sample((2, i), 0, 64, 20,
                                           Difficulty(clutter=clutter))
            grad = np.abs(np.diff(image.astype(float), axis=1)).sum(-1)
            out.append(grad[~(mask[:, 1:] | mask[:, :-1])].mean())
        return np.mean(out)

    plain, busy = roughness(0.0), roughness(3.0)
    normal = roughness(1.0)
    assert plain < 0.7 * normal and normal < busy  # pixel noise remains


def test_subtlety_moves_the_head_towards_the_body_colour():
    red = list(HEAD_COLOURS).index('red')
    class_id = next(
        c for c in range(20) if class_attributes(c)['head_colour'] == red)
    for subtlety, far in ((0.0, True), (0.9, False)):
        image, _, parts = render_sample((5, 0), class_id, 128, 20,
                                        Difficulty(subtlety=subtlety))
        head = parts['part_labels'] == PART_MASK_LABELS.index('head')
        body = np.array(parts['nuisance']['body_rgb'], float)
        expected = (1 - subtlety) * np.array(HEAD_COLOURS['red']) + \
            subtlety * body
        # the head's median colour (eye and shading aside)
        median = np.median(image[head].astype(float), 0)
        assert np.abs(median - expected).max() < 25
        assert (np.abs(median - body).max() > 60) == far


@pytest.mark.parametrize('kwargs,flag', [
    (dict(object_scale=0), '--object-scale'),
    (dict(clutter=-1), '--clutter'),
    (dict(subtlety=1.0), '--subtlety'),
    (dict(subtlety='a'), '--subtlety'),
])
def test_bad_difficulty(kwargs, flag):
    with pytest.raises(ValueError, match=flag):
        Difficulty(**kwargs)


def test_part_masks_partition_the_object():
    stripe = ATTRIBUTES['wing_stripe'].index('none')
    for i in range(10):
        _, mask, parts = render_sample((4, i), i, 96, 20)
        labels = parts['part_labels']
        np.testing.assert_array_equal(labels > 0, mask)
        counts = np.bincount(labels.ravel(), minlength=len(PART_MASK_LABELS))
        assert len(counts) == len(PART_MASK_LABELS)
        has_stripe = class_attributes(i)['wing_stripe'] != stripe
        assert (counts[PART_MASK_LABELS.index('wing_stripe')] > 0) == \
            has_stripe
        for part, keypoint in (('head', 'head_centre'), ('beak', 'beak_tip'),
                               ('tail', 'tail_tip')):
            ys, xs = np.nonzero(labels == PART_MASK_LABELS.index(part))
            x, y, _ = parts['keypoints'][keypoint]
            # the keypoint lies on (or within 2 px of) its part
            assert np.min(np.hypot(xs + 0.5 - x, ys + 0.5 - y)) < 2.0, part


def test_part_mask_files(tmp_path):
    info = generate_synthetic_cub(
        str(tmp_path / 'd'), num_classes=3, per_class=2, size=48)
    with open(info.annotations_file) as f:
        doc = json.load(f)
    assert doc['info']['part_mask_labels'] == list(PART_MASK_LABELS)
    assert doc['info']['difficulty'] == Difficulty().as_dict()
    for record in doc['images']:
        parts = read_part_masks(osp.join(info.root, record['part_mask_file']))
        mask = np.asarray(
            Image.open(osp.join(info.root, record['mask_file']))) > 0
        np.testing.assert_array_equal(parts['object'], mask)
        assert set(parts) == {'object', 'head', 'beak', 'tail', 'wing_stripe'}
        assert not (parts['head'] & parts['beak']).any()


def test_controlled_pair_swaps_one_factor():
    for i in range(6):
        seed, class_id = (9, i), i % 20
        scenes = render_controlled_pair(seed, class_id, 64, 20)
        image, mask, parts = render_sample(seed, class_id, 64, 20)
        a_img, a_mask, a_parts = scenes['anchor']
        np.testing.assert_array_equal(a_img, image)
        np.testing.assert_array_equal(a_mask, mask)
        # same object, other background: geometry and nuisance identical
        b_img, b_mask, b_parts = scenes['background']
        np.testing.assert_array_equal(b_mask, mask)
        assert b_parts['keypoints'] == parts['keypoints']
        assert b_parts['nuisance'] == parts['nuisance']
        diff = np.abs(b_img.astype(float) - image).mean(-1)
        assert diff[~mask].mean() > 3 * diff[mask].mean()
        # other object (other class), same background: equal outside both
        o_img, o_mask, o_parts = scenes['object']
        other = scenes['object_class_id']
        assert other != class_id
        assert o_parts['attributes'] == class_attributes(other)
        assert o_parts['nuisance'] != parts['nuisance']
        outside = ~(mask | o_mask)
        np.testing.assert_array_equal(o_img[outside], image[outside])
        assert (o_img[mask] != image[mask]).any()
    again = render_controlled_pair((9, 0), 0, 64, 20)
    np.testing.assert_array_equal(
        again['object'][0],
        render_controlled_pair((9, 0), 0, 64, 20)['object'][0])
    with pytest.raises(ValueError, match='other_class_id'):
        render_controlled_pair((9, 0), 0, 64, 20, other_class_id=0)
    with pytest.raises(ValueError, match='Generator'):
        render_controlled_pair(np.random.default_rng(0), 0, 64, 20)


def test_cli_controlled_pairs_and_knobs(tmp_path, capsys):
    out = str(tmp_path / 'p')
    assert main([
        '--out', out, '--classes', '3', '--per-class', '2', '--size', '48',
        '--controlled-pairs', '--clutter', '0.5', '--object-scale', '0.8'
    ]) == 0
    rows = read_pairs(out)
    with open(osp.join(out, 'annotations.json')) as f:
        doc = json.load(f)
    tests = [r for r in doc['images'] if r['split'] == 'test']
    assert [r['id'] for r in rows] == [r['id'] for r in tests]
    assert doc['info']['difficulty']['clutter'] == 0.5
    for row in rows:
        for key in ('anchor', 'background', 'object', 'background_mask',
                    'object_mask'):
            assert osp.isfile(osp.join(out, row[key])), key
        scenes = render_controlled_pair((0, row['id'] - 1),
                                        row['class_id'] - 1, 48, 3,
                                        Difficulty(0.8, 0.5))
        mask = np.asarray(Image.open(osp.join(out, row['object_mask']))) > 0
        np.testing.assert_array_equal(mask, scenes['object'][1])
    assert main(['--out', str(tmp_path / 'q'), '--subtlety', '2']) == 2
    assert '--subtlety' in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match='--controlled-pairs'):
        read_pairs(str(tmp_path / 'q'))
