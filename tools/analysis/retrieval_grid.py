"""Top-k retrieval grid with positive and negative queries marked (PNG).

    python tools/analysis/retrieval_grid.py CONFIG CHECKPOINT --out grid.png \
        [--topk 5] [--num-queries 8] [--tile 96]

Each row: a test query, then its ``topk`` nearest other test images
(cosine similarity of cached features, leave-one-out as the retrieval
metric). Results of the query's class are framed green, others red; the
query is framed green when its rank-1 result is correct (positive query)
and red when it is not (negative query). About half of the rows are
positive and half negative queries, spread over classes.
"""
import argparse
import os.path as osp
import sys

import numpy as np

from mmssl_addons.evaluation.feature_cache import features_from_args, labelled
from mmssl_addons.visualization import (cosine_topk, make_grid, pick_queries,
                                        retrieval_rows, save_png_atomic)

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def class_name(data, label):
    classes = data.get('classes', [])
    return str(classes[label]) if 0 <= label < len(classes) else str(label)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser)
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument('--num-queries', type=int, default=8)
    parser.add_argument('--tile', type=int, default=96, help='tile size')
    args = parser.parse_args(argv)
    if not args.out.lower().endswith('.png'):
        sys.exit(f'error: --out must be a .png file, got {args.out}')
    data = features_from_args(args)
    feats, labels = labelled(data, 'the retrieval grid')
    idx, _ = cosine_topk(feats, feats, args.topk, exclude_self=True)
    correct = labels[idx] == labels[:, None]
    queries = pick_queries(correct[:, 0], labels, args.num_queries)
    paths = data['img_paths']
    tiles = retrieval_rows(
        [paths[q] for q in queries], [[paths[r] for r in idx[q]]
                                      for q in queries], correct[queries],
        [('+ ' if correct[q, 0] else '- ') + class_name(data, labels[q])
         for q in queries], [[class_name(data, labels[r]) for r in idx[q]]
                             for q in queries],
        [bool(correct[q, 0]) for q in queries], args.tile)
    save_png_atomic(make_grid(tiles, ncols=idx.shape[1] + 1), args.out)
    n_pos = int(np.sum(correct[queries, 0]))
    print(f'{len(queries)} queries ({n_pos} positive, '
          f'{len(queries) - n_pos} negative) written to {args.out}')
    return args.out


if __name__ == '__main__':
    main()
