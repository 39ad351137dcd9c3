"""Import a checkpoint released by a paper's authors.

Usage::

    python tools/model_converters/import_released.py \\
        {lcr,bam,clove,dilo,moco} IN OUT [--encoder teacher|online]

* ``lcr`` (GANPerf/LCR ``main_moco.py``) -> the full ``MoCoLCR`` with the
  released BN+ReLU branch: test it with
  ``tools/test.py configs/lcr/moco_lcr_released_cub.py OUT``;
* ``moco`` / ``dilo`` (``module.encoder_q.*``) -> the full MoCo model of
  our MoCo v2 configs;
* ``bam`` / ``clove`` -> one encoder's backbone under ``backbone.``
  (``--encoder teacher``, the default, is the one both papers evaluate).

Every output is read by ``extract_backbone.py`` and the ``to_*.py``
converters. Released keys without a counterpart here (LCR's ``qmax`` /
``kmax`` / ``queue_max``, heads, predictors) are listed in the output's
``meta['dropped']``. The input is loaded with ``torch.load(weights_only=
True)``; the output is written atomically. A layout that does not match
the method is refused with its top-level keys and the nearest known layout.
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.utils.backbone_checkpoint import save_checkpoint_atomic
from mmssl_addons.utils.released_import import import_released
from mmssl_addons.utils.released_layouts import METHODS

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from converter_cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Released checkpoint of LCR / BAM / CLoVE / DiLo / MoCo '
        '-> a checkpoint for our configs and converters')
    parser.add_argument('method', choices=METHODS, help='whose checkpoint')
    parser.add_argument(
        'input', metavar='IN', help='the released checkpoint file')
    parser.add_argument('output', metavar='OUT', help='checkpoint to write')
    parser.add_argument(
        '--encoder',
        choices=('teacher', 'online'),
        default=None,
        help='bam / clove: the EMA teacher (default) or the online '
        'student encoder; lcr / moco / dilo keep both')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    ckpt = import_released(args.input, args.method, args.encoder)
    save_checkpoint_atomic(ckpt, args.output)
    meta = ckpt['meta']
    print(f'wrote {meta["num_tensors"]} tensors ({meta["kind"]}, '
          f'{meta["encoder"]} encoder) to {args.output}; load into '
          f'{meta["load_into"]}; {len(meta["dropped"])} released tensors '
          'without a counterpart were left out (meta["dropped"])')
    if meta.get('missing'):
        print(f'warning: the release lacks {len(meta["missing"])} tensors '
              f'of our model (e.g. {meta["missing"][0]}; meta["missing"]): '
              'load with strict=False or build the model to match' +
              (' (a CAFormer: configs/bam/bam_caformer-m36-released_'
               '16xb256-coslr-300e_in1k.py builds it as the release '
               'does)' if meta.get('backbone') == 'caformer' else ''))


if __name__ == '__main__':
    run_cli(main, sys.argv[1:], prog='import_released.py')
