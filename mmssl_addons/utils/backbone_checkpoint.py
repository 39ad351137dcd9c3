"""Read a training checkpoint and pull out one encoder's backbone weights.

Shared by every converter in ``tools/model_converters/`` and by the
transfer benchmarks. Naming conventions (mmpretrain's, which our
algorithms follow):

* online encoder: ``backbone.*``;
* EMA / teacher encoder: ``CosineEMA(nn.Sequential(backbone, neck))`` stored
  as ``momentum_encoder.module.0.*`` (MoCo, MoCo v3, LCR, BAM, ...) or
  ``target_net.module.0.*`` (BYOL, CLoVE, ...); ``teacher.*`` variants are
  accepted too;
* released checkpoints: MoCo's ``encoder_q.*`` / ``encoder_k.*`` (LCR, DiLo,
  MoCo v1/v2) and DINO's top-level ``{'student': ..., 'teacher': ...}``
  (read as ``student.*`` / ``teacher.*``).

A ResNet's ``fc.*`` (a classifier, or the MoCo v2 MLP that MoCo's
``encoder_q.fc`` holds) is not part of the backbone and is left out.

Checkpoints are always loaded with ``weights_only=True``: they may come from
outside, and the ones we write are safe-loadable (see ``SafeCheckpointHook``).
"""
import argparse
from collections import OrderedDict
from typing import Dict, Optional

import torch

from .atomic_io import atomic_path

ONLINE_PREFIXES = ('backbone.', 'encoder_q.', 'student.backbone.')
TEACHER_PREFIXES = ('encoder_k.module.0.', 'momentum_encoder.module.0.',
                    'target_net.module.0.', 'teacher.module.0.',
                    'teacher.backbone.', 'teacher_backbone.', 'encoder_k.')
ENCODERS = ('online', 'teacher')


def load_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Load a checkpoint file (``weights_only=True``) and return its weights.

    Accepts mmengine checkpoints (``{'state_dict': ...}``), torchvision /
    detectron2-style ``{'model': ...}``, DINO's ``{'student': ...,
    'teacher': ...}`` (keys become ``student.*`` / ``teacher.*``) and bare
    state dicts. A leading ``module.`` (DataParallel) is stripped.
    """
    try:
        # DINO-style files store their argparse Namespace next to the weights
        with torch.serialization.safe_globals([argparse.Namespace]):
            ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f'checkpoint not found: {path}') from None
    except Exception as err:  # pickle errors have many types
        raise ValueError(
            f'cannot read {path} as a safe (weights_only) checkpoint: {err}. '
            'Only checkpoints made of tensors and plain Python values are '
            'accepted; re-save it with torch.save(model.state_dict()).'
        ) from err
    state = ckpt
    if isinstance(ckpt, dict) and all(
            isinstance(ckpt.get(k), dict) for k in ('student', 'teacher')):
        return OrderedDict((f'{part}.{_strip_module(k)}', v)
                           for part in ('student', 'teacher')
                           for k, v in ckpt[part].items()
                           if isinstance(v, torch.Tensor))
    if isinstance(ckpt, dict):
        for key in ('state_dict', 'model'):
            if isinstance(ckpt.get(key), dict):
                state = ckpt[key]
                break
    if not isinstance(state, dict) or not any(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f'{path} holds no tensors: it is not a model '
                         'checkpoint')
    return OrderedDict((_strip_module(k), v) for k, v in state.items()
                       if isinstance(v, torch.Tensor))


def _strip_module(key: str) -> str:
    return key[len('module.'):] if key.startswith('module.') else key


def _without_classifier(state: 'OrderedDict') -> 'OrderedDict':
    """A ResNet's weights without ``fc.*`` (classifier / MoCo MLP)."""
    if backbone_kind(state) != 'resnet':
        return state
    return OrderedDict(
        (k, v) for k, v in state.items() if not k.startswith('fc.'))


def _top_level_names(state: Dict[str, torch.Tensor]) -> str:
    names = sorted({k.split('.')[0] for k in state})
    return ', '.join(names[:20])


def _select_backbone(state: Dict[str, torch.Tensor], encoder: str,
                     prefix: Optional[str]):
    """``(prefix used, backbone state)``; see :func:`extract_backbone_state`.
    """
    if encoder not in ENCODERS:
        raise ValueError(f'encoder must be one of {ENCODERS}, got '
                         f'{encoder!r}')
    if prefix is not None:
        candidates = (prefix, )
    else:
        candidates = ONLINE_PREFIXES if encoder == 'online' \
            else TEACHER_PREFIXES
    for pre in candidates:
        out = OrderedDict(
            (k[len(pre):], v) for k, v in state.items() if k.startswith(pre))
        if out:
            return pre, _without_classifier(out)
    if prefix is None and encoder == 'online' and \
            backbone_kind(state) != 'unknown':
        return '', _without_classifier(OrderedDict(state))
    hint = ('; pass --encoder online for a model without an EMA teacher'
            if encoder == 'teacher' else '')
    raise ValueError(
        f'no {encoder} backbone found (looked for keys starting with '
        f'{", ".join(candidates)}); the checkpoint has top-level names: '
        f'{_top_level_names(state)}. Pass --prefix NAME. to choose one'
        f'{hint}.')


def extract_backbone_state(
        state: Dict[str, torch.Tensor],
        encoder: str = 'online',
        prefix: Optional[str] = None) -> 'OrderedDict[str, torch.Tensor]':
    """Return the backbone weights with the prefix removed.

    Args:
        state: a full model state dict.
        encoder: ``'online'`` (the trained encoder) or ``'teacher'`` (the
            EMA / momentum encoder; BAM and CLoVE evaluate this one).
        prefix: take exactly this prefix instead (e.g. ``'backbone.'``).

    A state dict that is already backbone-only (has ``conv1.weight`` or a
    ViT ``patch_embed``) is returned unchanged for ``encoder='online'``.
    """
    return _select_backbone(state, encoder, prefix)[1]


def backbone_checkpoint(state: Dict[str, torch.Tensor],
                        encoder: str = 'online',
                        prefix: Optional[str] = None,
                        source: Optional[str] = None) -> dict:
    """A downstream-ready checkpoint ``{'state_dict', 'meta'}``.

    ``state_dict`` holds the chosen encoder's backbone (prefix removed) and
    loads into mmdet / mmseg / mmpose backbones with
    ``init_cfg=dict(type='Pretrained', checkpoint=...)``; ``meta`` holds
    plain Python values only (safe for ``weights_only=True``): ``encoder``,
    ``prefix``, ``kind`` (``'resnet'`` | ``'vit'``), ``num_tensors``,
    ``source`` and ``converter``.

    Raises:
        ValueError: no backbone under the prefix, or the weights found are
            neither a ResNet nor a ViT.
    """
    used, backbone = _select_backbone(state, encoder, prefix)
    kind = backbone_kind(backbone)
    if kind == 'unknown':
        names = _top_level_names(backbone)
        raise ValueError(
            f'the weights under prefix {used!r} are not a recognisable '
            f'backbone (no ResNet conv1/stem + layer1 nor ViT patch_embed; '
            f'top-level names: {names}). Pass --prefix with the backbone\'s '
            'prefix.')
    meta = dict(
        encoder=encoder,
        prefix=used,
        kind=kind,
        num_tensors=len(backbone),
        source=None if source is None else str(source),
        converter='mmssl_addons/tools/model_converters/extract_backbone.py')
    return dict(state_dict=backbone, meta=meta)


def backbone_kind(state: Dict[str, torch.Tensor]) -> str:
    """``'resnet'``, ``'vit'`` or ``'unknown'`` for a backbone state dict."""
    keys = set(state)
    has_stem = 'conv1.weight' in keys or any(
        k.startswith('stem.') for k in keys)  # deep stem (ResNetV1c/d)
    if has_stem and any(k.startswith('layer1.') for k in keys):
        return 'resnet'
    if any(k.startswith('patch_embed.') for k in keys):
        return 'vit'
    return 'unknown'


def save_checkpoint_atomic(obj, path: str) -> None:
    """``torch.save`` to ``path`` through a temp file and rename."""
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)
