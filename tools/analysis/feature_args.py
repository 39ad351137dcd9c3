"""Command-line arguments shared by the feature-based analysis tools.

The tools import it from their own folder (``sys.path[0]`` when run as a
script); :func:`mmssl_addons.evaluation.feature_cache.features_from_args`
reads the parsed arguments.
"""
import argparse

import torch
from mmengine.config import DictAction

from mmssl_addons.evaluation.feature_cache import FEATURE_KINDS, SPLITS


def add_feature_args(parser: argparse.ArgumentParser,
                     split: bool = True) -> None:
    """The arguments every feature-based analysis tool shares."""
    parser.add_argument('config', help='config of the checkpoint')
    parser.add_argument('checkpoint', help='checkpoint file')
    if split:
        parser.add_argument('--split', default='test', choices=SPLITS)
    parser.add_argument(
        '--feature',
        default='auto',
        choices=FEATURE_KINDS,
        help='auto: the model\'s test-time pooled feature; backbone_gap: '
        'global average of the last backbone stage')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='device of the model (default: cuda when available)')
    parser.add_argument(
        '--refresh', action='store_true', help='re-extract cached features')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
