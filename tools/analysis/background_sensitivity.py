"""Background sensitivity of frozen features on the controlled pairs.

    python tools/analysis/background_sensitivity.py CONFIG CHECKPOINT \
        [--feature auto|backbone_gap] [--out R.json] [--png pairs.png] \
        [--cfg-options test_dataloader.dataset.data_root=D]

Needs the synthetic test bed generated with ``--controlled-pairs``: for
every test image the same object on another background and another object
on the same background. Each of the three images goes through the test
pipeline and the model's feature (``--feature``, as the other tools); the
score is ``background_sensitivity`` (``D_bg / (D_bg + D_obj)`` of cosine
distances, in [0, 1], lower = less background dependence). Results:
``<ckpt dir>/<ckpt>.background_sensitivity.json``; the PNG shows, per pair,
the three images with the feature-norm map and the object outline.
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch
from PIL import Image

from mmssl_addons.evaluation.feature_cache import (model_feature_fn,
                                                   split_dataset_cfg,
                                                   write_results)
from mmssl_addons.evaluation.functional import background_sensitivity
from mmssl_addons.evaluation.mask_data import (geometric_transform,
                                               images_features, pair_images,
                                               preprocess, transform_masks)
from mmssl_addons.synthetic.pairs import PAIR_KINDS
from mmssl_addons.utils import init_model, load_config
from mmssl_addons.visualization import (label_tile, make_grid,
                                        map_with_outline, save_png_atomic)

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args

KINDS = ('anchor', ) + PAIR_KINDS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    parser.add_argument('--max-pairs', type=int)
    parser.add_argument('--out', help='results JSON')
    parser.add_argument('--png', help='PNG of the pairs')
    parser.add_argument('--num-png', type=int, default=4)
    args = parser.parse_args(argv)
    if args.png and not args.png.lower().endswith('.png'):
        sys.exit(f'error: --png must be a .png file, got {args.png}')
    cfg = load_config(args.config, args.cfg_options)
    try:
        pairs = pair_images(cfg, args.max_pairs)
    except FileNotFoundError as err:
        sys.exit(f'error: {err}')
    rows, root = pairs['rows'], pairs['root']
    ds_cfg = split_dataset_cfg(cfg, 'test')
    model = init_model(cfg, args.checkpoint, args.device)
    fn = model_feature_fn(model, args.feature)
    images = {kind: pairs[kind] for kind in KINDS}
    feats = {
        kind: images_features(model, fn, images[kind], args.batch_size)
        for kind in KINDS
    }
    res = background_sensitivity(feats['anchor'], feats['background'],
                                 feats['object'])
    results = {f'pairs/{k}': v for k, v in res.items()}
    path = write_results(
        results,
        args.checkpoint,
        'background_sensitivity',
        args.out,
        feature=args.feature)
    for key, value in results.items():
        print(f'{key}: {value:.4f}')
    print(f'results written to {path}')
    if args.png:
        transform = geometric_transform(ds_cfg['pipeline'])
        tiles = []
        for j in range(min(args.num_png, len(rows))):
            for kind in KINDS:
                img = images[kind][j:j + 1]
                with torch.no_grad():
                    fmap = model.backbone(preprocess(model, img))[-1]
                mask = np.asarray(
                    Image.open(osp.join(root, rows[j][f'{kind}_mask']))) > 0
                mask = transform_masks(transform, [mask])[0]
                bgr = np.ascontiguousarray(img[0].permute(
                    1, 2, 0).numpy().astype(np.uint8))
                tiles.append(
                    label_tile(
                        map_with_outline(bgr,
                                         fmap[0].norm(dim=0).cpu().numpy(),
                                         mask), kind))
        save_png_atomic(make_grid(tiles, ncols=3), args.png)
        print(f'pairs written to {args.png}')
    return results


if __name__ == '__main__':
    main()
