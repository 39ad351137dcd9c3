"""Convert a ResNet checkpoint to a detectron2 model-zoo ``.pkl``.

Usage::

    python tools/model_converters/to_detectron2.py \
        work_dirs/clove/epoch_200.pth r50_clove.pkl --encoder teacher

The output is ``{'model': {name: numpy array}, '__author__':
'mmssl_addons', 'matching_heuristics': True}`` in detectron2's ResNet naming
(``stem.conv1``, ``res2``..``res5``, ``convK.norm``, ``shortcut``); use it as
``MODEL.WEIGHTS`` with ``MODEL.RESNETS.STRIDE_IN_1X1 False``, ``INPUT.FORMAT
RGB`` and the ImageNet mean/std in 0-255 units (see benchmarks/detectron2/).
"""
import argparse
import os.path as osp
import pickle
import sys

from mmssl_addons.utils import atomic_path
from mmssl_addons.utils.detectron2_naming import (detectron2_checkpoint,
                                                  resnet_to_detectron2)

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from converter_cli import (add_backbone_args, add_overwrite_arg, check_output,
                           load_backbone, run_cli)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='ResNet checkpoint -> detectron2 .pkl (numpy arrays, '
        'detectron2 ResNet names)')
    add_backbone_args(parser)
    parser.add_argument(
        'output',
        metavar='OUT.pkl',
        help='output file; must end with .pkl (detectron2 reads .pkl files '
        'with pickle and other names with torch.load)')
    add_overwrite_arg(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    check_output(args.input, args.output, args.overwrite)
    if not args.output.endswith('.pkl'):
        raise ValueError(f'output {args.output!r} must end with .pkl: '
                         'detectron2 only reads its model-zoo format from '
                         '.pkl files')
    model = resnet_to_detectron2(load_backbone(args))
    with atomic_path(args.output) as tmp:
        with open(tmp, 'wb') as f:
            pickle.dump(detectron2_checkpoint(model), f)
    print(f'wrote {len(model)} detectron2 ResNet tensors '
          f'({args.encoder} encoder) to {args.output}')


if __name__ == '__main__':
    run_cli(main, sys.argv[1:], prog='to_detectron2.py')
