"""Leave-one-out retrieval (rank-k, mAP) and weighted kNN on cached features.

    python tools/analysis/retrieval_knn.py CONFIG CHECKPOINT \
        [--topk 1 5] [--k 20 200] [--temperature 0.07] [--out R.json]

Retrieval ranks the test split against itself (each query against all
other test images, LCR protocol); kNN classifies the test split with the
train split as memory (InstDisc / MoCo protocol). Works for every dataset
config whose test dataset takes a ``split`` argument (for kNN). Results:
``<ckpt dir>/<ckpt>.retrieval_knn.json``.
"""
import argparse
import os.path as osp
import sys
import warnings

from mmssl_addons.evaluation.feature_cache import (features_from_args,
                                                   labelled, write_results)
from mmssl_addons.evaluation.functional import knn_accuracy, retrieval_metrics
from mmssl_addons.utils import load_config

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    parser.add_argument('--topk', type=int, nargs='+', default=[1, 5])
    parser.add_argument('--k', type=int, nargs='+', default=[20, 200])
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--no-knn', action='store_true', help='retrieval only')
    parser.add_argument('--out', help='results JSON')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    test_x, test_y = labelled(
        features_from_args(args, 'test', cfg), 'retrieval')
    results = {
        f'retrieval/{k}': v
        for k, v in retrieval_metrics(test_x, test_y, args.topk).items()
    }
    if not args.no_knn:
        train_x, train_y = labelled(
            features_from_args(args, 'train', cfg), 'kNN')
        num_classes = 1 + int(max(train_y.max(), test_y.max()))
        for k in args.k:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')  # k clipped to the memory
                acc = knn_accuracy(
                    train_x,
                    train_y,
                    test_x,
                    test_y,
                    num_classes,
                    k=k,
                    T=args.temperature,
                    topk=(1, min(5, num_classes)))
            results.update({f'knn_k{k}/{n}': v for n, v in acc.items()})
    path = write_results(
        results,
        args.checkpoint,
        'retrieval_knn',
        args.out,
        temperature=args.temperature)
    for key, value in results.items():
        print(f'{key}: {value:.2f}')
    print(f'results written to {path}')
    return results


if __name__ == '__main__':
    main()
