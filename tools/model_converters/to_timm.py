"""Convert an mmpretrain ViT checkpoint to a timm ``vit_*`` state dict.

Usage::

    python tools/model_converters/to_timm.py \
        work_dirs/bam/epoch_300.pth vit_b_timm.pth --encoder teacher

Then::

    model = timm.create_model('vit_base_patch16_224', num_classes=0)
    model.load_state_dict(torch.load('vit_b_timm.pth', weights_only=True))

(see mmssl_addons/utils/timm_naming.py for the mapping and how to build a
matching timm model).
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.utils import save_checkpoint_atomic
from mmssl_addons.utils.timm_naming import vit_to_timm

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from converter_cli import (add_backbone_args, add_overwrite_arg, check_output,
                           load_backbone, run_cli)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='mmpretrain VisionTransformer checkpoint -> timm vit_* '
        'state dict (without a classifier head)')
    add_backbone_args(parser)
    parser.add_argument('output', metavar='OUT', help='output .pth file')
    add_overwrite_arg(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    check_output(args.input, args.output, args.overwrite)
    state, left_out = vit_to_timm(load_backbone(args))
    save_checkpoint_atomic(state, args.output)
    print(f'wrote {len(state)} timm ViT tensors ({args.encoder} encoder) '
          f'to {args.output}')
    if left_out:
        print('left out (a timm ViT has no norm after pooling next to its '
              f'token norm): {", ".join(left_out)}')


if __name__ == '__main__':
    run_cli(main, sys.argv[1:], prog='to_timm.py')
