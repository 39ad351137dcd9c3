"""Transfer linear protocol: L-BFGS logistic regression on frozen features.

    python tools/analysis/linear_lbfgs.py CONFIG CHECKPOINT \
        [--val-split val] [--val-fraction 0.2] \
        [--l2-grid ...] [--feature-norm l2] [--metric auto] [--out R.json]

BAM's transfer table (Food, CIFAR, Cars, Aircraft, Pets, Flowers): the L2
penalty is chosen on a validation split (``--val-split val`` when the
dataset has one, else a class-stratified ``--val-fraction`` of train), the
classifier is retrained on train + validation and its test top-1 and mean
per-class accuracy reported. The grid is SimCLR / BYOL's 45 log-spaced
values over [1e-6, 1e5]; ``--metric auto`` selects and prints the mean
per-class accuracy for Aircraft, Pets, Caltech-101 and Flowers (by the
test dataset's type or folder), top-1 otherwise.
Results: ``<ckpt dir>/<ckpt>.linear_lbfgs.json``.
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.evaluation.feature_cache import (features_from_args,
                                                   labelled, write_results)
from mmssl_addons.evaluation.functional.linear_lbfgs import (
    DEFAULT_L2_GRID, lbfgs_transfer_eval, transfer_metric)
from mmssl_addons.utils import load_config

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    parser.add_argument(
        '--val-split',
        choices=['val'],
        help='use the config\'s val_dataloader as validation split')
    parser.add_argument('--val-fraction', type=float, default=0.2)
    parser.add_argument(
        '--l2-grid', type=float, nargs='+', default=list(DEFAULT_L2_GRID))
    parser.add_argument(
        '--feature-norm', default='l2', choices=['l2', 'standardize', 'none'])
    parser.add_argument(
        '--metric',
        default='auto',
        choices=['auto', 'top1', 'mean_per_class'],
        help='selection / reported metric; auto: by dataset')
    parser.add_argument('--max-iter', type=int, default=500)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='results JSON')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    metric = args.metric
    if metric == 'auto':
        ds = cfg.test_dataloader.dataset
        while 'dataset' in ds:  # wrappers
            ds = ds['dataset']
        metric = transfer_metric(f"{ds.get('type', '')} "
                                 f"{ds.get('data_root', '')}")
    train = labelled(features_from_args(args, 'train', cfg), 'linear')
    test = labelled(features_from_args(args, 'test', cfg), 'linear')
    val = (None, None)
    if args.val_split:
        val = labelled(features_from_args(args, 'val', cfg), 'linear')
    res = lbfgs_transfer_eval(
        *train,
        *test,
        *val,
        l2_grid=args.l2_grid,
        val_fraction=args.val_fraction,
        feature_norm=args.feature_norm,
        max_iter=args.max_iter,
        seed=args.seed,
        metric=metric,
        progress=True)
    results = {
        'linear_lbfgs/top1': res['top1'],
        'linear_lbfgs/mean_per_class': res['mean_per_class'],
        f'linear_lbfgs/val_{metric}': res[f'val_{metric}'],
        'linear_lbfgs/l2': res['l2']
    }
    path = write_results(
        results,
        args.checkpoint,
        'linear_lbfgs',
        args.out,
        val_curve=res['val_curve'],
        feature_norm=args.feature_norm,
        metric=metric,
        val_split=args.val_split or f'{args.val_fraction:g} of train')
    name = {'top1': 'top-1', 'mean_per_class': 'mean per-class accuracy'}
    print(f"test {name[metric]} {res[metric]:.2f} (l2={res['l2']:g}, "
          f"validation {res[f'val_{metric}']:.2f}; top-1 {res['top1']:.2f}, "
          f"mean per-class {res['mean_per_class']:.2f})")
    print(f'results written to {path}')
    return results


if __name__ == '__main__':
    main()
