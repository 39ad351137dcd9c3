"""Turn an authors' released checkpoint into one of ours.

Used by ``tools/model_converters/import_released.py``. What comes out:

* ``lcr``: the full :class:`MoCoLCR` state dict (online and key encoders,
  necks, queue, GradCAM-fitting branch) for a config with
  ``gfb_head.with_bn_relu=True`` (``configs/lcr/moco_lcr_released_cub.py``);
* ``moco`` / ``dilo``: the full MoCo state dict (``MoCoLCR`` without
  ``gfb_head``, mmpretrain's ``MoCo``; DiLo's MoCo v2 configs);
* ``bam`` / ``clove``: one encoder's backbone under ``backbone.`` (the
  teacher by default, the encoder both papers evaluate), which the
  converters, ``tools/test.py`` with feature metrics and mmdet / mmseg /
  mmpose (``Pretrained`` with ``prefix='backbone.'``) read.

The output is ``{'state_dict': ..., 'meta': {...}}``; ``meta`` holds plain
values only (``method``, ``kind``, ``encoder``, ``source``, ``dropped``:
the released keys without a counterpart here, ``load_into``).
"""
from collections import OrderedDict
from typing import Dict, Optional

import torch

from .backbone_checkpoint import backbone_kind
from .released_layouts import (check_layout, flatten_released, load_released,
                               strip_wrappers)
from .released_resnet import encoder_backbone, moco_to_ours
from .released_vit import (caformer_to_timm_backbone, is_caformer,
                           timm_vit_to_mmpretrain)

LOAD_INTO = {
    'lcr':
    'MoCoLCR with gfb_head.with_bn_relu=True, e.g. '
    'configs/lcr/moco_lcr_released_cub.py',
    'moco':
    'MoCoLCR without gfb_head / mmpretrain MoCo, e.g. '
    'configs/lcr/mocov2_cub.py (MoCo v2) or '
    'configs/dilo/mocov2_r50_200e_in1k.py',
    'bam':
    'the backbone of configs/bam/* (ViT or TIMMBackbone caformer_m36)',
    'clove':
    'the backbone of configs/clove/* (ResNet-50)',
}
LOAD_INTO['dilo'] = LOAD_INTO['moco']
ENCODER_PREFIX = {
    'clove': {
        'online': 'encoder.',
        'teacher': 'encoder_k.'
    },
    'bam': {
        'online': 'student.backbone.',
        'teacher': 'teacher.backbone.'
    },
}


def _bam_backbone(state: Dict[str, torch.Tensor], encoder: str, source: str):
    """BAM / DINO: the chosen encoder's ``backbone.``, or a lone one.

    A run without a momentum teacher saves ``module.backbone.*`` only (no
    ``student.`` / ``teacher.``): that backbone is taken for either choice.
    """
    wanted = ENCODER_PREFIX['bam'][encoder]
    lone = not any(k.startswith(('student.', 'teacher.')) for k in state)
    for pre in (wanted, 'backbone.') if lone else (wanted, ):
        found = OrderedDict(
            (k[len(pre):], v) for k, v in state.items() if k.startswith(pre))
        if found:
            return pre, found
    other = 'online' if encoder == 'teacher' else 'teacher'
    hint = (f'; it has a {other} backbone: pass --encoder {other}' if any(
        k.startswith(ENCODER_PREFIX['bam'][other]) for k in state) else '')
    raise ValueError(f'{source} has no {encoder} backbone (no {wanted}* '
                     f'keys){hint}')


def _backbone_in_our_names(backbone, source, meta):
    if is_caformer(backbone):
        out, missing = caformer_to_timm_backbone(backbone)
        meta['missing'] = missing
        return out, []
    if backbone_kind(backbone) == 'resnet':
        return backbone, [k for k in backbone if k.startswith('fc.')]
    return timm_vit_to_mmpretrain(backbone)


def import_state(ckpt: dict,
                 method: str,
                 encoder: Optional[str] = None,
                 source: str = 'the checkpoint') -> dict:
    """Our checkpoint ``{'state_dict', 'meta'}`` from a loaded released one.

    Args:
        ckpt: the object ``torch.load`` returned.
        method: ``'lcr'``, ``'bam'``, ``'clove'``, ``'dilo'`` or ``'moco'``.
        encoder: ``'teacher'`` (default) or ``'online'``; BAM and CLoVE
            only (LCR / MoCo keep both encoders).

    Raises:
        ValueError: the layout is not ``method``'s (the message lists the
            top-level keys and the nearest known layout).
    """
    state = flatten_released(ckpt)
    check_layout(state, method, source, file_keys=list(ckpt)[:20])
    meta = dict(method=method, source=source, load_into=LOAD_INTO[method])
    if method in ('lcr', 'moco', 'dilo'):
        if encoder not in (None, 'teacher', 'online'):
            raise ValueError(f'unknown encoder {encoder!r}')
        out, dropped = moco_to_ours(
            state, with_gfb=method == 'lcr', source=source)
        meta.update(kind='full', encoder='both')
    else:
        encoder = encoder or 'teacher'
        if method == 'clove':
            prefix = ENCODER_PREFIX['clove'][encoder]
            backbone = encoder_backbone(state, prefix, source)
        else:
            prefix, backbone = _bam_backbone(state, encoder, source)
        backbone, left_out = _backbone_in_our_names(backbone, source, meta)
        out = OrderedDict(('backbone.' + k, v) for k, v in backbone.items()
                          if not k.startswith('fc.'))
        dropped = [k for k in state if not k.startswith(prefix)]
        dropped += [prefix + k for k in left_out]
        meta.update(
            kind='backbone',
            encoder=encoder,
            prefix=prefix,
            backbone='caformer' if 'missing' in meta else backbone_kind(
                OrderedDict(
                    (k[len('backbone.'):], v) for k, v in out.items())))
    meta.setdefault('missing', [])
    meta.update(
        num_tensors=len(out),
        dropped=sorted(dropped),
        converter='mmssl_addons/tools/model_converters/import_released.py')
    return dict(state_dict=out, meta=meta)


def import_released(path: str,
                    method: str,
                    encoder: Optional[str] = None) -> dict:
    """:func:`import_state` of the file ``path`` (``weights_only=True``)."""
    return import_state(load_released(path), method, encoder, source=path)


__all__ = ['import_released', 'import_state', 'strip_wrappers']
