"""Read the checkpoints that the papers' authors released, recognise them.

Layouts (from the authors' model definitions and save calls):

* ``lcr``: GANPerf/LCR ``main_moco.py`` saves ``{'epoch', 'arch',
  'state_dict', 'optimizer'}`` of a DDP ``moco.builder.MoCo``:
  ``module.encoder_q.*`` / ``module.encoder_k.*`` (torchvision ResNet-50,
  ``fc`` replaced by the MoCo v2 MLP ``fc.0``/``fc.2``), ``module.conv16``
  (no bias) + ``module.bn16`` (the GradCAM-fitting branch, BN+ReLU),
  ``module.queue``, ``module.queue_max``, ``conv16_2``/``bn16_2``, ``qmax``
  / ``kmax`` MLPs.
* ``moco`` (MoCo v1/v2, and DiLo, which trains MoCo v2 on its
  copy-pasted images): ``module.encoder_q.*``, ``module.encoder_k.*``,
  ``module.queue``.
* ``clove`` (PixPro-based): ``{'model': {'module.encoder.*',
  'module.encoder_k.*', projector, predictor ...}}``.
* ``bam`` (DINO-style): ``ckpt['model']`` of a student/teacher wrapper,
  ``student.*`` / ``teacher.*`` with ``module.`` (DDP), ``_orig_mod.``
  (``torch.compile``) and ``backbone.`` (multi-crop wrapper) inside; or
  DINO's own top-level ``{'student': ..., 'teacher': ...}``.

Released files are loaded with ``weights_only=True``; the
``argparse.Namespace`` that several of them store next to the weights
(``'args'``) is allow-listed for that load, nothing else.
"""
import argparse
from collections import OrderedDict
from typing import Dict, List, Sequence, Tuple

import torch

METHODS = ('lcr', 'bam', 'clove', 'dilo', 'moco')
WRAPPER_NAMES = ('module', '_orig_mod')

# method -> (what the layout must contain, description for messages)
SIGNATURES = {
    'lcr': (('encoder_q.', 'encoder_k.', 'conv16.weight', 'bn16.'),
            "{'state_dict': {'module.encoder_q.*', 'module.encoder_k.*', "
            "'module.conv16.weight', 'module.bn16.*', 'module.queue', ...}}"),
    'moco': (('encoder_q.', 'encoder_k.'),
             "{'state_dict': {'module.encoder_q.*', 'module.encoder_k.*', "
             "'module.queue', ...}}"),
    'clove': (('encoder.', 'encoder_k.'),
              "{'model': {'module.encoder.*', 'module.encoder_k.*', "
              "projector, predictor ...}}"),
    'bam': (('backbone.', ),
            "{'model': {'student.module.backbone.*', 'teacher.backbone.*', "
            "...}} or {'student': ..., 'teacher': ...}"),
}
SIGNATURES['dilo'] = SIGNATURES['moco']


def load_released(path: str) -> dict:
    """``torch.load(path, weights_only=True)`` with ``Namespace`` allowed.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not a safe-loadable checkpoint.
    """
    try:
        with torch.serialization.safe_globals([argparse.Namespace]):
            ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f'checkpoint not found: {path}') from None
    except Exception as err:  # pickle errors have many types
        raise ValueError(
            f'cannot read {path} as a safe (weights_only) checkpoint: '
            f'{err}. Load it once where you trust it and re-save the '
            'weights alone: torch.save(ckpt["state_dict"], "weights.pth").'
        ) from err
    if not isinstance(ckpt, dict):
        raise ValueError(f'{path} holds a {type(ckpt).__name__}, not a '
                         'checkpoint dict')
    return ckpt


def strip_wrappers(key: str) -> str:
    """Drop DDP ``module.`` and ``torch.compile`` ``_orig_mod.`` segments."""
    return '.'.join(p for p in key.split('.') if p not in WRAPPER_NAMES)


def _tensors(state: dict, prefix: str = '') -> 'OrderedDict':
    return OrderedDict((prefix + strip_wrappers(k), v)
                       for k, v in state.items()
                       if isinstance(v, torch.Tensor))


def flatten_released(ckpt: dict) -> 'OrderedDict[str, torch.Tensor]':
    """The weights of a released checkpoint, wrapper segments removed.

    ``{'state_dict': sd}`` / ``{'model': sd}`` give ``sd``; DINO's
    ``{'student': sd, 'teacher': sd}`` gives ``student.*`` and
    ``teacher.*``; a bare state dict is used as it is.
    """
    if isinstance(ckpt.get('student'), dict) or isinstance(
            ckpt.get('teacher'), dict):
        out = OrderedDict()
        for part in ('student', 'teacher'):
            if isinstance(ckpt.get(part), dict):
                out.update(_tensors(ckpt[part], part + '.'))
        return out
    for key in ('state_dict', 'model'):
        if isinstance(ckpt.get(key), dict):
            return _tensors(ckpt[key])
    return _tensors(ckpt)


def top_level_names(state: Dict[str, torch.Tensor]) -> List[str]:
    return sorted({k.split('.')[0] for k in state})


def _matches(state: Dict[str, torch.Tensor], method: str) -> int:
    """How many of the method's signature entries ``state`` has."""
    keys = list(state)
    if method == 'bam':
        return int(any('backbone.' in k for k in keys))
    needed = SIGNATURES[method][0]
    return sum(
        any(k == n or (n.endswith('.') and k.startswith(n)) for k in keys)
        for n in needed)


def detect_layout(state: Dict[str, torch.Tensor]) -> Tuple[str, float]:
    """``(nearest method, fraction of its signature found)``."""
    best, score = 'moco', -1.
    for method in ('lcr', 'moco', 'clove', 'bam'):
        frac = _matches(state, method) / (1 if method == 'bam' else len(
            SIGNATURES[method][0]))
        if frac > score:
            best, score = method, frac
    return best, score


def check_layout(state: Dict[str, torch.Tensor],
                 method: str,
                 source: str = 'the checkpoint',
                 file_keys: Sequence = ()):
    """Raise a ``ValueError`` unless ``state`` has ``method``'s layout.

    The message lists the top-level keys found (of the file, ``file_keys``,
    and of its weights) and the nearest known layout.
    """
    if method not in METHODS:
        raise ValueError(f'unknown method {method!r}; choose one of '
                         f'{", ".join(METHODS)}')
    needed = SIGNATURES[method][0]
    full = 1 if method == 'bam' else len(needed)
    if _matches(state, method) == full:
        return
    nearest, frac = detect_layout(state)
    names = ', '.join(top_level_names(state)[:20]) or '(no tensors)'
    hint = (f'the nearest known layout is {nearest!r} '
            f'({SIGNATURES[nearest][1]}, {frac:.0%} of its keys found)'
            if frac > 0 else 'it matches none of the known layouts '
            f'({", ".join(METHODS)})')
    in_file = (f'top-level keys of the file: {", ".join(map(str, file_keys))}'
               '; ' if file_keys else '')
    raise ValueError(
        f'{source} is not a released {method!r} checkpoint: expected '
        f'{SIGNATURES[method][1]}; {in_file}top-level names of its weights '
        f'(module./_orig_mod. removed): {names}; {hint}.')
