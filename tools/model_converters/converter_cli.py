"""Command-line plumbing shared by the tools in ``tools/model_converters/``.

Every converter reads a checkpoint written by ``tools/train.py`` (or a
backbone-only one), picks one encoder's backbone with
:func:`extract_backbone_state`, renames it and writes the result
atomically. Errors a user can fix (missing file, no backbone, wrong
architecture, an output that exists) end the program with one clear line
instead of a traceback, and with the same exit status :data:`EXIT_ERROR`
in every converter (argparse's status for bad arguments).
"""
import argparse
import os
import os.path as osp
import sys
from typing import Callable, Dict, Optional, Sequence

import torch

from mmssl_addons.utils.backbone_checkpoint import (ENCODERS,
                                                    extract_backbone_state,
                                                    load_state_dict)

#: Exit status of every converter for an error the user can fix.
EXIT_ERROR = 2
#: Exceptions that mean such an error.
USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError)


def add_overwrite_arg(parser: argparse.ArgumentParser) -> None:
    """``--overwrite``: allow replacing an existing output file."""
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace OUT if it exists (OUT may never be IN)')


def _same_file(a: str, b: str) -> bool:
    if osp.realpath(a) == osp.realpath(b):
        return True
    try:
        return osp.samefile(a, b)  # hard links
    except OSError:
        return False


def check_output(inputs, output: str, overwrite: bool) -> None:
    """Refuse to write ``output`` over an input, or over a file unless
    ``overwrite``.

    Args:
        inputs (str | Sequence[str]): the files the converter reads.
        output (str): the file it writes.
        overwrite (bool): ``--overwrite`` was given.

    Raises:
        ValueError: ``output`` is one of ``inputs`` (always refused).
        FileExistsError: ``output`` exists and ``overwrite`` is False.
    """
    if isinstance(inputs, str):
        inputs = [inputs]
    for path in inputs:
        if _same_file(path, output):
            raise ValueError(
                f'output {output} is the input file {path}: writing it '
                'would destroy the input; choose another output path.')
    if osp.isdir(output):
        raise FileExistsError(f'output {output} is a directory; give a '
                              'file path.')
    if osp.lexists(output) and not overwrite:
        raise FileExistsError(f'output {output} exists; pass --overwrite '
                              'to replace it, or choose another path.')
    folder = osp.dirname(osp.abspath(output))
    if osp.exists(folder) and not os.access(folder, os.W_OK):
        raise ValueError(f'cannot write to the folder of {output}.')


def add_backbone_args(parser: argparse.ArgumentParser) -> None:
    """``IN`` plus ``--encoder`` and ``--prefix``."""
    parser.add_argument(
        'input',
        metavar='IN',
        help='checkpoint written by tools/train.py, or a backbone-only one')
    parser.add_argument(
        '--encoder',
        choices=ENCODERS,
        default='online',
        help='online: the trained encoder (backbone.*); teacher: the EMA / '
        'momentum encoder (BAM and CLoVE evaluate this one)')
    parser.add_argument(
        '--prefix',
        default=None,
        help='take the backbone under exactly this key prefix, e.g. '
        '"backbone." (overrides --encoder)')


def load_backbone(args: argparse.Namespace) -> Dict[str, torch.Tensor]:
    """Read ``args.input`` and return the selected backbone weights."""
    state = load_state_dict(args.input)
    return extract_backbone_state(state, args.encoder, args.prefix)


def run_cli(main: Callable[[Optional[Sequence[str]]], Optional[int]],
            argv: Optional[Sequence[str]] = None,
            prog: str = 'converter') -> None:
    """Run ``main(argv)``; on a user error (:data:`USER_ERRORS`) print
    ``<prog>: error: <message>`` to stderr and exit with
    :data:`EXIT_ERROR`. A non-zero return value of ``main`` is the exit
    status."""
    try:
        code = main(argv)
    except USER_ERRORS as err:
        print(f'{prog}: error: {err}', file=sys.stderr)
        sys.exit(EXIT_ERROR)
    if code:
        sys.exit(code)
