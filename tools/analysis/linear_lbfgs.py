"""Transfer linear protocol: L-BFGS logistic regression on frozen features.

    python tools/analysis/linear_lbfgs.py CONFIG CHECKPOINT \
        [--val-split val] [--val-fraction 0.2] \
        [--l2-grid 1e-6 1e-5 ... 1e5] [--feature-norm l2] [--out R.json]

BAM's transfer table (Food, CIFAR, Cars, Aircraft, Pets, Flowers): the L2
penalty is chosen on a validation split (``--val-split val`` when the
dataset has one, else a class-stratified ``--val-fraction`` of train), the
classifier is retrained on train + validation and its test top-1 reported.
Results: ``<ckpt dir>/<ckpt>.linear_lbfgs.json``.
"""
import argparse

from mmssl_addons.evaluation.feature_cache import (add_feature_args,
                                                   features_from_args,
                                                   labelled, write_results)
from mmssl_addons.evaluation.functional.linear_lbfgs import (
    DEFAULT_L2_GRID, lbfgs_transfer_eval)
from mmssl_addons.utils import load_config


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
    parser.add_argument('--max-iter', type=int, default=500)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='results JSON')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
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
        progress=True)
    results = {
        'linear_lbfgs/top1': res['top1'],
        'linear_lbfgs/val_top1': res['val_top1'],
        'linear_lbfgs/l2': res['l2']
    }
    path = write_results(
        results,
        args.checkpoint,
        'linear_lbfgs',
        args.out,
        val_curve=res['val_curve'],
        feature_norm=args.feature_norm,
        val_split=args.val_split or f'{args.val_fraction:g} of train')
    print(f"test top-1 {res['top1']:.2f} (l2={res['l2']:g}, validation "
          f"top-1 {res['val_top1']:.2f})")
    print(f'results written to {path}')
    return results


if __name__ == '__main__':
    main()
