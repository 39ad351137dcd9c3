"""Extract frozen features of a split once and cache them as .npz.

    python tools/analysis/extract_features.py CONFIG CHECKPOINT \
        [--split train|val|test] [--feature auto|backbone_gap] [--out F.npz]
        [--batch-size 64] [--refresh] [--cfg-options k=v ...]

Default cache: ``<ckpt dir>/features/<ckpt>.<split>.<feature>.<key>.npz``
(``key`` hashes the checkpoint's content, the config, the dataset's files
and the split; see ``mmssl_addons.evaluation.feature_cache``); the other
analysis tools reuse it. The file holds ``features`` (N, C), ``labels``
(N,), ``img_paths``, ``classes`` and ``cache_key``; an ``--out`` file whose
key differs (another checkpoint, data or config) is extracted again.
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.evaluation.feature_cache import features_from_args

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser)
    parser.add_argument('--out', help='.npz file (default: the cache)')
    args = parser.parse_args(argv)
    if args.out and not args.out.endswith('.npz'):
        sys.exit(f'error: --out must end with .npz, got {args.out}')
    data = features_from_args(args, out=args.out)
    feats = data['features']
    print(f'{args.split}: {feats.shape[0]} x {feats.shape[1]} features '
          f'in {data["cache"]}')
    return data['cache']


if __name__ == '__main__':
    main()
