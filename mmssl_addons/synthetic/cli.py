"""Command line of the synthetic bird generator::

    python -m mmssl_addons.synthetic --out data/synthetic_cub \\
        --classes 20 --per-class 40 --size 128 --seed 0

Writes the CUB_200_2011 layout of :mod:`.layout`; ``--object-scale``,
``--clutter`` and ``--subtlety`` are the :class:`~.drawing.Difficulty`
knobs, ``--controlled-pairs`` adds the pairs of :mod:`.pairs`.
"""
import argparse
import sys

from .attributes import MAX_CLASSES, MIN_CLASSES
from .drawing import Difficulty
from .layout import generate_synthetic_cub


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog='python -m mmssl_addons.synthetic',
        description='Generate the synthetic fine-grained bird dataset in '
        'CUB_200_2011 layout.')
    parser.add_argument('--out', required=True, help='dataset root folder')
    parser.add_argument(
        '--classes',
        type=int,
        default=20,
        help=f'number of classes, {MIN_CLASSES}..'
        f'{MAX_CLASSES} (default 20)')
    parser.add_argument(
        '--per-class',
        type=int,
        default=40,
        help='images per class, >= 2 (default 40)')
    parser.add_argument(
        '--size',
        type=int,
        default=128,
        help='image side in pixels, >= 32 (default 128)')
    parser.add_argument('--seed', type=int, default=0, help='base seed')
    parser.add_argument(
        '--test-fraction',
        type=float,
        default=0.5,
        help='share of each class in the test split')
    parser.add_argument(
        '--workers',
        type=int,
        default=1,
        help='rendering processes (output is identical)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace the dataset in a non-empty --out')
    parser.add_argument(
        '--object-scale',
        type=float,
        default=1.0,
        help='object linear size factor, (0, 3] (default 1)')
    parser.add_argument(
        '--clutter',
        type=float,
        default=1.0,
        help='background clutter factor, [0, 5] (default 1)')
    parser.add_argument(
        '--subtlety',
        type=float,
        default=0.0,
        help='pull the class attributes towards class-independent values, '
        '[0, 1) (default 0)')
    parser.add_argument(
        '--controlled-pairs',
        action='store_true',
        help='also write background-swapped and object-swapped versions '
        'of every test image under pairs/')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """CLI entry point; returns the exit status."""
    args = parse_args(argv)
    try:
        difficulty = Difficulty(args.object_scale, args.clutter, args.subtlety)
        info = generate_synthetic_cub(
            args.out,
            num_classes=args.classes,
            per_class=args.per_class,
            size=args.size,
            seed=args.seed,
            test_fraction=args.test_fraction,
            overwrite=args.overwrite,
            workers=args.workers,
            difficulty=difficulty,
            controlled_pairs=args.controlled_pairs,
            progress=True)
    except (ValueError, FileExistsError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    print(f'Wrote {info.num_images} images ({info.num_train} train, '
          f'{info.num_test} test, {info.num_classes} classes, '
          f'{info.size}px) to {info.root}')
    return 0
