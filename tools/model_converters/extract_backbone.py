"""Extract the backbone of a training checkpoint for downstream transfer.

Usage::

    python tools/model_converters/extract_backbone.py IN.pth OUT.pth \\
        [--encoder online|teacher] [--prefix backbone.]

The output is ``{'state_dict': backbone_weights, 'meta': {...}}`` with the
encoder prefix removed, so it loads into mmdet's / mmseg's / mmpose's
``ResNet`` (or ``VisionTransformer``) through
``init_cfg=dict(type='Pretrained', checkpoint=OUT)``. Momentum / teacher
encoders, necks, heads, queues and memory banks are dropped. BAM and CLoVE
evaluate the EMA teacher: pass ``--encoder teacher``. The input is loaded
with ``torch.load(weights_only=True)`` and the output is written atomically;
an existing OUT is replaced only with ``--overwrite``, and never when it is
IN. Errors exit with status 2, as in every converter.
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.utils.backbone_checkpoint import (backbone_checkpoint,
                                                    load_state_dict,
                                                    save_checkpoint_atomic)

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from converter_cli import (EXIT_ERROR, USER_ERRORS, add_overwrite_arg,
                           check_output)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Keep only one encoder\'s backbone weights of a '
        'checkpoint, for init_cfg=dict(type="Pretrained") downstream.')
    parser.add_argument('input', help='training checkpoint (.pth)')
    parser.add_argument('output', help='backbone checkpoint to write (.pth)')
    parser.add_argument(
        '--encoder',
        choices=['online', 'teacher'],
        default='online',
        help='the trained (online) encoder or the EMA / momentum teacher '
        '(default: online)')
    parser.add_argument(
        '--prefix',
        help='take the keys under exactly this prefix (e.g. "backbone.") '
        'instead of the known encoder names')
    add_overwrite_arg(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        check_output(args.input, args.output, args.overwrite)
        state = load_state_dict(args.input)
        ckpt = backbone_checkpoint(
            state, encoder=args.encoder, prefix=args.prefix, source=args.input)
    except USER_ERRORS as err:
        print(f'extract_backbone.py: error: {err}', file=sys.stderr)
        return EXIT_ERROR
    save_checkpoint_atomic(ckpt, args.output)
    meta = ckpt['meta']
    print(f'wrote {meta["num_tensors"]} {meta["kind"]} backbone tensors '
          f'({meta["encoder"]} encoder, prefix {meta["prefix"]!r}) to '
          f'{args.output}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
