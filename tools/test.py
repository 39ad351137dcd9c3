"""Evaluate a checkpoint with an mmssl_addons/mmpretrain/mmdet/mmseg/mmpose
config.

Same interface as mmpretrain's ``tools/test.py``::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--cfg-options k=v ...] [--launcher pytorch]

The metrics are printed and written as JSON (``--out``, default
``<work_dir>/metrics.json``). Checkpoints load with
``torch.load(weights_only=True)``.
"""
import argparse
import logging
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.runner import Runner

from mmssl_addons.utils import (add_runner_args, dump_json_atomic,
                                parse_runner_args, patch_mmcv_adjust_hue,
                                prepare_runner_config)
from mmssl_addons.utils.checkpoint_check import check_checkpoint
from mmssl_addons.utils.compat import ADJUST_HUE_NOTE


def _plain(value):
    """A metric value as JSON: numbers as float, anything else as text
    (e.g. mmdet's ``*_copypaste`` strings)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def parse_args():
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='JSON file for the metrics (default: in work-dir)')
    add_runner_args(parser)
    return parse_runner_args(parser)


def main():
    args = parse_args()
    for path, what in ((args.config, 'config'), (args.checkpoint,
                                                 'checkpoint')):
        if not osp.isfile(path):
            sys.exit(f'error: {what} file not found: {path}')
    notes = []
    # numpy-2 fix of mmcv 2.1 for ColorJitter(hue > 0); logged in the run
    if patch_mmcv_adjust_hue(logger='silent'):
        notes.append((logging.INFO, ADJUST_HUE_NOTE))
    cfg = Config.fromfile(args.config)
    try:
        check_checkpoint(args.checkpoint)
        cfg = prepare_runner_config(cfg, args, for_training=False, notes=notes)
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'error: {err}')
    cfg.load_from = args.checkpoint
    runner = Runner.from_cfg(cfg)
    for level, message in notes:
        runner.logger.log(level, message)
    metrics = runner.test()
    out = args.out or osp.join(runner.work_dir, 'metrics.json')
    if runner.rank == 0:
        dump_json_atomic({k: _plain(v) for k, v in metrics.items()}, out)
        print(f'metrics written to {out}')


if __name__ == '__main__':
    main()
