"""Convert a ResNet checkpoint to a torchvision ``resnet*`` state dict.

Usage::

    python tools/model_converters/to_torchvision.py \
        work_dirs/lcr/epoch_200.pth r50_torchvision.pth [--encoder teacher]

Then::

    model = torchvision.models.resnet50()
    missing, unexpected = model.load_state_dict(
        torch.load('r50_torchvision.pth', weights_only=True), strict=False)
    # missing == ['fc.weight', 'fc.bias'], unexpected == []
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.utils import save_checkpoint_atomic
from mmssl_addons.utils.torchvision_naming import resnet_to_torchvision

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from converter_cli import (add_backbone_args, add_overwrite_arg, check_output,
                           load_backbone, run_cli)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='ResNet checkpoint -> torchvision resnet state dict '
        '(without the classifier fc)')
    add_backbone_args(parser)
    parser.add_argument('output', metavar='OUT', help='output .pth file')
    add_overwrite_arg(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    check_output(args.input, args.output, args.overwrite)
    state = resnet_to_torchvision(load_backbone(args))
    save_checkpoint_atomic(state, args.output)
    print(f'wrote {len(state)} torchvision ResNet tensors '
          f'({args.encoder} encoder) to {args.output}')


if __name__ == '__main__':
    run_cli(main, sys.argv[1:], prog='to_torchvision.py')
