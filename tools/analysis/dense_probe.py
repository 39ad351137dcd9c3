"""Dense linear probe: frozen last-stage maps -> 1x1 conv -> segmentation.

    python tools/analysis/dense_probe.py CONFIG CHECKPOINT [--parts] \
        [--steps 200] [--lr 0.05] [--out R.json] [--png seg.png] \
        [--cfg-options test_dataloader.dataset.data_root=D]

Needs the synthetic test bed as the dataset. The probe is fitted on the
train split and scored (mIoU) on the test split, both through the test
pipeline; labels: object / background, or with ``--parts`` background,
head, beak, tail, wing stripe and the rest of the bird. Results:
``<ckpt dir>/<ckpt>.dense_probe.json``; the PNG shows test images, the
predicted labels and the ground-truth object outline.
"""
import argparse
import os.path as osp
import sys

import cv2
import numpy as np
import torch

from mmssl_addons.evaluation.feature_cache import write_results
from mmssl_addons.evaluation.functional import dense_linear_probe
from mmssl_addons.evaluation.mask_data import (MASK_NAMES, feature_maps,
                                               load_split_with_masks)
from mmssl_addons.utils import init_model, load_config
from mmssl_addons.visualization import (draw_outline, label_tile, make_grid,
                                        save_png_atomic)

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def label_maps(masks, parts: bool) -> torch.Tensor:
    """``(N, H, W)`` labels: 0 bg / 1 object, or 0 bg, 1..4 the parts of
    :data:`MASK_NAMES` and 5 the rest of the object."""
    labels = masks['object'].long()
    if parts:
        labels = labels * (len(MASK_NAMES))
        for i, name in enumerate(MASK_NAMES[1:], 1):
            labels[masks[name]] = i
    return labels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    parser.add_argument('--parts', action='store_true')
    parser.add_argument('--steps', type=int, default=200)
    parser.add_argument('--lr', type=float, default=0.05)
    parser.add_argument('--max-images', type=int)
    parser.add_argument('--out', help='results JSON')
    parser.add_argument('--png', help='PNG of the predictions')
    parser.add_argument('--num-png', type=int, default=8)
    args = parser.parse_args(argv)
    if args.png and not args.png.lower().endswith('.png'):
        sys.exit(f'error: --png must be a .png file, got {args.png}')
    cfg = load_config(args.config, args.cfg_options)
    model = init_model(cfg, args.checkpoint, args.device)
    train = load_split_with_masks(cfg, 'train', args.max_images)
    test = load_split_with_masks(cfg, 'test', args.max_images)
    num_classes = len(MASK_NAMES) + 1 if args.parts else 2
    res = dense_linear_probe(
        feature_maps(model, train['inputs'], args.batch_size),
        label_maps(train['masks'], args.parts),
        feature_maps(model, test['inputs'], args.batch_size),
        label_maps(test['masks'], args.parts),
        num_classes,
        steps=args.steps,
        lr=args.lr)
    names = (['background'] + list(MASK_NAMES[1:]) +
             ['other']) if args.parts else ['background', 'object']
    results = {
        'dense/miou': res['miou'],
        'dense/train_miou': res['train_miou']
    }
    results.update({f'dense/iou_{n}': v for n, v in zip(names, res['iou'])})
    path = write_results(
        results,
        args.checkpoint,
        'dense_probe',
        args.out,
        labels=names,
        steps=args.steps,
        lr=args.lr)
    for key, value in results.items():
        print(f'{key}: {value:.2f}')
    print(f'results written to {path}')
    if args.png:
        colours = cv2.applyColorMap(
            np.linspace(0, 255, num_classes).astype(np.uint8)[:, None],
            cv2.COLORMAP_JET)[:, 0]
        colours[0] = 0
        tiles = []
        for j in range(min(args.num_png, len(test['inputs']))):
            img = np.ascontiguousarray(test['inputs'][j].permute(
                1, 2, 0).numpy().astype(np.uint8))
            pred = colours[res['pred'][j].numpy()]
            blend = cv2.addWeighted(img, 0.5, pred, 0.5, 0)
            outline = test['masks']['object'][j].numpy()
            tiles += [
                label_tile(draw_outline(img, outline), 'image'),
                label_tile(draw_outline(blend, outline), 'probe')
            ]
        save_png_atomic(make_grid(tiles, ncols=4), args.png)
        print(f'predictions written to {args.png}')
    return results


if __name__ == '__main__':
    main()
