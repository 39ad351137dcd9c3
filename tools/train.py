"""Train a model with an mmssl_addons, mmpretrain, mmdet, mmseg or mmpose
config.

Same interface as mmpretrain's ``tools/train.py``::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher pytorch]
"""
import argparse
import logging
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.runner import Runner

from mmssl_addons.utils import (add_runner_args, parse_runner_args,
                                patch_mmcv_adjust_hue, prepare_runner_config)
from mmssl_addons.utils.compat import ADJUST_HUE_NOTE


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a path, resume from the '
        'latest checkpoint in the work directory')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr', action='store_true', help='scale lr by batch size')
    add_runner_args(parser)
    return parse_runner_args(parser)


def main():
    args = parse_args()
    if not osp.isfile(args.config):
        sys.exit(f'error: config file not found: {args.config}')
    notes = []
    # numpy-2 fix of mmcv 2.1 for ColorJitter(hue > 0); logged in the run
    if patch_mmcv_adjust_hue(logger='silent'):
        notes.append((logging.INFO, ADJUST_HUE_NOTE))
    cfg = Config.fromfile(args.config)
    try:
        cfg = prepare_runner_config(cfg, args, for_training=True, notes=notes)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
    runner = Runner.from_cfg(cfg)
    for level, message in notes:
        runner.logger.log(level, message)
    runner.train()


if __name__ == '__main__':
    main()
