"""k-means clustering NMI / ARI of frozen features (BAM appendix).

    python tools/analysis/clustering.py CONFIG CHECKPOINT [--split test] \
        [--num-classes-subset 10 --n-subsets 10] [--seed 0] [--out R.json]

Features come from the cache (``extract_features.py``); results are written
to ``<ckpt dir>/<ckpt>.clustering.json`` unless ``--out`` is given.
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.evaluation.feature_cache import (features_from_args,
                                                   labelled, write_results)
from mmssl_addons.evaluation.functional import kmeans_cluster_scores

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser)
    parser.add_argument(
        '--num-classes-subset',
        type=int,
        help='classes drawn per round (default: all)')
    parser.add_argument('--n-subsets', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='results JSON')
    args = parser.parse_args(argv)
    data = features_from_args(args)
    results = kmeans_cluster_scores(
        *labelled(data, 'clustering'),
        args.num_classes_subset,
        args.n_subsets,
        args.seed,
        progress=True)
    results = {f'clustering/{k}': v for k, v in results.items()}
    path = write_results(
        results,
        args.checkpoint,
        'clustering',
        args.out,
        split=args.split,
        num_classes_subset=args.num_classes_subset,
        n_subsets=args.n_subsets,
        seed=args.seed)
    print(' '.join(f'{k}: {v:.4f}' for k, v in results.items()))
    print(f'results written to {path}')
    return results


if __name__ == '__main__':
    main()
