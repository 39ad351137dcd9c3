"""Synthetic moving-object clips in the DAVIS-2017 layout.

Each video shows ``num_objects`` striped ellipses (evenly spaced hues, so
each object has its own colour) moving along straight lines with a little
rotation over a static, cluttered background; objects may overlap (later
objects are drawn on top). Used to test video label propagation
(``tools/analysis/label_propagation.py``) without downloading DAVIS.

Command line::

    python -m mmssl_addons.synthetic.video \\
        --out data/synthetic_davis --videos 2 --frames 8 --size 64 \\
        --objects 2 --seed 0

Layout (as DAVIS-2017 trainval)::

    <out>/JPEGImages/480p/<video>/00000.jpg      (H, W, 3) JPEG q95
    <out>/Annotations/480p/<video>/00000.png     (H, W) palette PNG,
                                                 0 = background, i = object i
    <out>/ImageSets/2017/val.txt                 one video name a line

``ImageSets/2017/val.txt`` is written last: its presence marks a complete
dataset. Every file is written atomically.
"""
import argparse
import colorsys
import os
import os.path as osp
from typing import List

import cv2
import numpy as np
from PIL import Image

from mmssl_addons.utils.atomic_io import (atomic_path, write_bytes_atomic,
                                          write_lines_atomic)

#: DAVIS palette for the first object ids (background black).
PALETTE = [
    0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0, 0, 0, 128, 128, 0, 128, 0, 128,
    128, 128, 128, 128
]


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    base = rng.integers(40, 200, 3)
    img = np.empty((size, size, 3), np.uint8)
    img[:] = base
    noise = rng.normal(0, 12, (size // 4 + 1, size // 4 + 1, 3))
    noise = cv2.resize(noise, (size, size), interpolation=cv2.INTER_LINEAR)
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    for _ in range(6):  # clutter
        p1 = tuple(int(v) for v in rng.integers(0, size, 2))
        p2 = tuple(int(v) for v in rng.integers(0, size, 2))
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.line(img, p1, p2, colour, 1, cv2.LINE_AA)
    return img


def render_clip(num_frames: int, size: int, num_objects: int,
                rng: np.random.Generator):
    """Frames ``(T, H, W, 3)`` uint8 BGR and masks ``(T, H, W)`` uint8."""
    bg = _background(rng, size)
    objs = []
    hue0 = rng.uniform()
    for i in range(num_objects):
        radius = rng.uniform(0.12, 0.2, 2) * size
        start = rng.uniform(0.25, 0.75, 2) * size
        end = np.clip(start + rng.uniform(-0.25, 0.25, 2) * size, radius.max(),
                      size - radius.max())
        # evenly spaced, saturated hues: objects are told apart by colour
        hue = (hue0 + i / num_objects) % 1.0
        colour = np.array(
            [255 * c for c in colorsys.hsv_to_rgb(hue, 0.9, 0.95)][::-1])
        objs.append(
            dict(
                radius=radius,
                start=start,
                end=end,
                angle=rng.uniform(0, 180),
                spin=rng.uniform(-8, 8),
                colour=colour,
                stripe=tuple(int(v) for v in 0.55 * colour)))
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    masks = np.zeros((num_frames, size, size), np.uint8)
    for t in range(num_frames):
        img = bg.copy()
        a = t / max(1, num_frames - 1)
        for i, o in enumerate(objs):
            centre = (1 - a) * o['start'] + a * o['end']
            obj_mask = np.zeros((size, size), np.uint8)
            cv2.ellipse(obj_mask, (int(centre[0]), int(centre[1])),
                        (int(o['radius'][0]), int(o['radius'][1])),
                        o['angle'] + o['spin'] * t, 0, 360, 1, -1)
            texture = np.empty_like(img)
            texture[:] = o['colour']
            for k in range(-size, 2 * size,
                           8):  # stripes moving with the object
                x = int(centre[0]) + k
                cv2.line(texture, (x, 0), (x - size // 2, size), o['stripe'],
                         2)
            on = obj_mask.astype(bool)
            img[on] = texture[on]
            masks[t][on] = i + 1
        frames[t] = img
    return frames, masks


def _save_jpg(img: np.ndarray, path: str) -> None:
    ok, buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise RuntimeError(f'cannot encode {path}')
    write_bytes_atomic(buf.tobytes(), path)


def save_palette_png(mask: np.ndarray, path: str) -> None:
    """Write an index mask as a DAVIS-style palette PNG, atomically."""
    img = Image.fromarray(mask.astype(np.uint8), mode='P')
    img.putpalette(PALETTE + [0] * (768 - len(PALETTE)))
    with atomic_path(path) as tmp:
        img.save(tmp, format='PNG')


def generate_synthetic_davis(out: str,
                             num_videos: int = 2,
                             num_frames: int = 8,
                             size: int = 64,
                             num_objects: int = 2,
                             seed: int = 0) -> List[str]:
    """Write the clips (see the module docstring); return video names."""
    if num_videos < 1 or num_frames < 2 or num_objects < 1 or size < 16:
        raise ValueError('need videos >= 1, frames >= 2, objects >= 1 and '
                         'size >= 16.')
    rng = np.random.default_rng(seed)
    from tqdm import tqdm
    names = [f'synth{v:02d}' for v in range(num_videos)]
    for name in tqdm(names, desc='rendering clips', leave=False):
        frames, masks = render_clip(num_frames, size, num_objects, rng)
        for t in range(num_frames):
            _save_jpg(
                frames[t],
                osp.join(out, 'JPEGImages', '480p', name, f'{t:05d}.jpg'))
            save_palette_png(
                masks[t],
                osp.join(out, 'Annotations', '480p', name, f'{t:05d}.png'))
    sets = osp.join(out, 'ImageSets', '2017', 'val.txt')
    os.makedirs(osp.dirname(sets), exist_ok=True)
    write_lines_atomic(names, sets)
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True)
    parser.add_argument('--videos', type=int, default=2)
    parser.add_argument('--frames', type=int, default=8)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--objects', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    names = generate_synthetic_davis(args.out, args.videos, args.frames,
                                     args.size, args.objects, args.seed)
    print(f'{len(names)} videos written to {args.out}')


if __name__ == '__main__':
    main()
