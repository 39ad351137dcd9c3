"""Overlay GradCAM and GFB attention on test images and save a PNG grid.

    python tools/analysis/visualize_attention.py CONFIG CHECKPOINT \
        --out grid.png [--num-images 16] [--cfg-options k=v ...]

Each image gets three tiles: the image (with its class), the GradCAM of the
SSL objective (the image paired with itself) and the GradCAM-fitting
branch's attention ``A'`` used for pooling at test time.
"""
import argparse
import sys

import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.dataset import default_collate

from mmssl_addons.utils import build_test_dataset, init_model, load_config
from mmssl_addons.visualization import (attention_triplets, make_grid,
                                        save_png_atomic, tensor_to_image)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, help='output PNG path')
    parser.add_argument('--num-images', type=int, default=16)
    parser.add_argument(
        '--ncols', type=int, default=4, help='images (triplets) per row')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def pick_indices(labels, num):
    """Spread the picks over classes: one per class, round robin."""
    order = np.argsort(labels, kind='stable')
    by_class = {}
    for idx in order:
        by_class.setdefault(int(labels[idx]), []).append(int(idx))
    picks, rnd = [], 0
    while len(picks) < num and any(len(v) > rnd for v in by_class.values()):
        for items in by_class.values():
            if rnd < len(items) and len(picks) < num:
                picks.append(items[rnd])
        rnd += 1
    return picks


def main():
    args = parse_args()
    if not args.out.lower().endswith('.png'):
        sys.exit(f'error: --out must be a .png file, got {args.out}')
    cfg = load_config(args.config, args.cfg_options)
    model = init_model(cfg, args.checkpoint)
    if not getattr(model, 'with_gfb', False):
        sys.exit('error: this model has no GradCAM-fitting branch '
                 '(gfb_head=None); use an LCR config and checkpoint.')
    dataset = build_test_dataset(cfg)
    labels = np.array(
        [dataset.get_data_info(i)['gt_label'] for i in range(len(dataset))])
    picks = pick_indices(labels, args.num_images)
    batch = default_collate([dataset[i] for i in picks])
    data = model.data_preprocessor(batch, False)
    inputs = data['inputs']
    with torch.no_grad():
        attention = model.extract_attention(inputs).numpy()
    gradcam = model.view_gradcam(inputs).numpy()
    # loaded as BGR by mmcv, as cv2 writes it
    images = [tensor_to_image(img) for img in batch['inputs']]
    classes = dataset.metainfo.get('classes') or []
    captions = [
        str(classes[labels[i]])
        if len(classes) > labels[i] else f'class {labels[i]}' for i in picks
    ]
    tiles = attention_triplets(images, [gradcam, attention],
                               ['GradCAM', 'GFB attention'], captions)
    save_png_atomic(make_grid(tiles, ncols=3 * args.ncols), args.out)
    print(f'attention grid written to {args.out}')


if __name__ == '__main__':
    main()
