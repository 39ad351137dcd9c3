"""Find the checkpoint ``--resume`` continues from, and check it loads.

``torch.load`` reports a truncated file as ``PytorchStreamReader failed
reading zip archive`` and a foreign pickle with advice to turn the
``weights_only`` check off; both are replaced by a message that names the
file, what is wrong with it and what to do.
"""
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional

import torch

_STEP = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used, with the way out."""


def complete_checkpoints(folder: str) -> List[str]:
    """``epoch_N.pth`` / ``iter_N.pth`` files of ``folder``, oldest first
    (by step; partial ``*.pth.tmp`` files are not listed)."""
    if not osp.isdir(folder):
        return []
    found = []
    for name in os.listdir(folder):
        match = _STEP.match(name)
        path = osp.join(folder, name)
        if match and osp.isfile(path):
            found.append((match.group(1) == 'iter', int(match.group(2)), path))
    return [path for _, _, path in sorted(found)]


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint a plain ``--resume`` continues from, or None.

    ``last_checkpoint`` records an absolute path; in a copied or moved
    work dir that path names the original's file (or nothing), so the file
    of the same name in ``work_dir`` wins. The recorded path itself is used
    only when ``work_dir`` has no such file (``CheckpointHook(out_dir=...)``
    saves elsewhere). Without a usable record, the highest-numbered
    ``epoch_N.pth`` / ``iter_N.pth`` of ``work_dir`` is taken.
    """
    record = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(record):
        with open(record) as f:
            recorded = f.read().strip()
        if recorded:
            local = osp.join(work_dir, osp.basename(recorded))
            if osp.isfile(local):
                return local
            if osp.isfile(recorded):
                return recorded
    found = complete_checkpoints(work_dir)
    return found[-1] if found else None


def _others(path: str) -> str:
    folder = osp.dirname(osp.abspath(path))
    others = [
        p for p in complete_checkpoints(folder)
        if osp.abspath(p) != osp.abspath(path)
    ]
    if not others:
        return ''
    return (f' Complete-looking checkpoints next to it: '
            f'{", ".join(osp.basename(p) for p in others[-3:])}.')


def _unpickle_reason(err: Exception) -> str:
    """The refused global of a weights-only error, without torch's advice
    (which is to switch the check off)."""
    match = re.search(r'GLOBAL ([\w.]+)', str(err))
    if match:
        return f'it pickles the Python object {match.group(1)}'
    return f'{type(err).__name__}: {str(err).splitlines()[0][:200]}'


def check_checkpoint(path: str, training_state: bool = False) -> None:
    """Raise :class:`CheckpointError` unless ``path`` loads safely.

    Loads with ``torch.load(weights_only=True, mmap=True)`` (tensors are
    mapped, not read). ``training_state`` also requires ``state_dict`` and
    ``meta`` (what ``--resume`` needs).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
    with open(path, 'rb') as f:
        head = f.read(4)
    if head[:2] == b'PK' and not zipfile.is_zipfile(path):
        raise CheckpointError(
            f'checkpoint {path} is incomplete ({osp.getsize(path)} bytes, '
            'the end of its zip archive is missing): it was cut off while '
            'being written. Delete it and resume from an earlier complete '
            f'checkpoint with --resume PATH.{_others(path)}')
    try:
        ckpt = torch.load(
            path,
            map_location='cpu',
            weights_only=True,
            mmap=head[:2] == b'PK')
    except Exception as err:  # unpickling errors have many types
        raise CheckpointError(
            f'checkpoint {path} cannot be loaded safely (weights_only=True): '
            f'{_unpickle_reason(err)}. It was not written by tools/train.py'
            '. For a released checkpoint, convert it with tools/'
            'model_converters/import_released.py; otherwise re-save its '
            'weights with torch.save(model.state_dict(), PATH).') from None
    if training_state:
        keys = sorted(ckpt) if isinstance(ckpt, dict) else []
        missing = [k for k in ('state_dict', 'meta') if k not in keys]
        if missing:
            raise CheckpointError(
                f'checkpoint {path} holds no training state to resume '
                f'(no {" / ".join(missing)}; top-level keys: '
                f'{", ".join(map(str, keys[:10])) or type(ckpt).__name__}'
                '). Resume from a checkpoint written by tools/train.py, or '
                'start from these weights with --cfg-options load_from=PATH '
                '(or the model\'s init_cfg) instead of --resume.')
