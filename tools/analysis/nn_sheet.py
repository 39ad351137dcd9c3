"""Nearest-neighbour sheet: test images and their nearest train images.

    python tools/analysis/nn_sheet.py CONFIG CHECKPOINT --out nn.png \
        [--k 8] [--num-queries 8] [--gallery train|test] [--tile 96]

Each row: a test image (one per class, round robin), then its ``k``
nearest neighbours in the gallery split by cosine similarity of cached
features, captioned with the similarity; neighbours of the query's class
are framed green, others red.
"""
import argparse
import os.path as osp
import sys

import numpy as np

from mmssl_addons.evaluation.feature_cache import features_from_args
from mmssl_addons.utils import load_config
from mmssl_addons.visualization import (cosine_topk, make_grid, pick_queries,
                                        retrieval_rows, save_png_atomic)

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--k', type=int, default=8)
    parser.add_argument('--num-queries', type=int, default=8)
    parser.add_argument(
        '--gallery', default='train', choices=['train', 'test'])
    parser.add_argument('--tile', type=int, default=96)
    args = parser.parse_args(argv)
    if not args.out.lower().endswith('.png'):
        sys.exit(f'error: --out must be a .png file, got {args.out}')
    cfg = load_config(args.config, args.cfg_options)
    query = features_from_args(args, 'test', cfg)
    gallery = query if args.gallery == 'test' else features_from_args(
        args, 'train', cfg)
    idx, sims = cosine_topk(
        query['features'],
        gallery['features'],
        args.k,
        exclude_self=args.gallery == 'test')
    qy, gy = query['labels'], gallery['labels']
    correct = (gy[idx] == qy[:, None]) & (qy[:, None] >= 0)
    # every query counts as "positive" so that picks just spread classes
    queries = pick_queries(np.ones(len(qy), bool), qy, args.num_queries)
    classes = query.get('classes', [])

    def name(label):
        return str(classes[label]) if 0 <= label < len(classes) \
            else str(label)

    tiles = retrieval_rows([query['img_paths'][q] for q in queries],
                           [[gallery['img_paths'][r] for r in idx[q]]
                            for q in queries], correct[queries],
                           [name(qy[q]) for q in queries],
                           [[f'{s:.2f}' for s in sims[q]]
                            for q in queries], None, args.tile)
    save_png_atomic(make_grid(tiles, ncols=idx.shape[1] + 1), args.out)
    print(f'{len(queries)} rows of {idx.shape[1]} neighbours written to '
          f'{args.out}')
    return args.out


if __name__ == '__main__':
    main()
