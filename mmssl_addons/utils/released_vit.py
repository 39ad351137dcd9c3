"""BAM's released backbones (DINO-style ViT, CAFormer) in our names.

BAM (DanielShalam/BAM) builds its ViTs on timm's ``VisionTransformer``
(``models/vit.py``) and its CAFormer on the MetaFormer baselines
(``models/metaformer.py``). Ours are mmpretrain's ``VisionTransformer`` and
timm's ``caformer_m36`` behind mmpretrain's ``TIMMBackbone``.

ViT, timm -> mmpretrain (the inverse of :mod:`timm_naming`)::

    patch_embed.proj.*        -> patch_embed.projection.*
    norm_pre.*                -> pre_norm.*
    blocks.N.norm1/2.*        -> layers.N.ln1/2.*
    blocks.N.attn.qkv/proj.*  -> layers.N.attn.qkv/proj.*
    blocks.N.ls1.gamma        -> layers.N.attn.gamma1.weight
    blocks.N.mlp.fc1.*        -> layers.N.ffn.layers.0.0.*
    blocks.N.mlp.fc2.*        -> layers.N.ffn.layers.1.*
    blocks.N.ls2.gamma        -> layers.N.ffn.gamma2.weight
    norm.*                    -> ln1.*
    fc_norm.*                 -> ln2.*
    cls_token, pos_embed      -> cls_token, pos_embed

A classifier ``head.*`` (``num_classes=0`` in BAM: absent) is left out.
CAFormer weights go through timm's own ``checkpoint_filter_fn`` for
MetaFormers (original names -> timm's) and get ``timm_model.``.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

_RULES = [
    (r'^(cls_token|pos_embed)$', r'\1'),
    (r'^patch_embed\.proj\.(weight|bias)$', r'patch_embed.projection.\1'),
    (r'^norm_pre\.(weight|bias)$', r'pre_norm.\1'),
    (r'^blocks\.(\d+)\.norm([12])\.(weight|bias)$', r'layers.\1.ln\2.\3'),
    (r'^blocks\.(\d+)\.attn\.(qkv|proj)\.(weight|bias)$',
     r'layers.\1.attn.\2.\3'),
    (r'^blocks\.(\d+)\.ls1\.gamma$', r'layers.\1.attn.gamma1.weight'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.(weight|bias)$',
     r'layers.\1.ffn.layers.0.0.\2'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.(weight|bias)$',
     r'layers.\1.ffn.layers.1.\2'),
    (r'^blocks\.(\d+)\.ls2\.gamma$', r'layers.\1.ffn.gamma2.weight'),
    (r'^norm\.(weight|bias)$', r'ln1.\1'),
    (r'^fc_norm\.(weight|bias)$', r'ln2.\1'),
]
_RULES = [(re.compile(p), r) for p, r in _RULES]


def timm_vit_to_mmpretrain(
    state: Dict[str, torch.Tensor]
) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """``(mmpretrain VisionTransformer weights, keys left out)``.

    Raises:
        ValueError: a key that a timm / DINO ViT does not have (other than
            a classifier ``head.*``).
    """
    out, left_out = OrderedDict(), []
    for key, value in state.items():
        if key.startswith('head.'):
            left_out.append(key)
            continue
        for pattern, repl in _RULES:
            if pattern.match(key):
                out[pattern.sub(repl, key)] = value
                break
        else:
            raise ValueError(
                f'key {key!r} is not part of a timm / DINO ViT (patch_embed, '
                'blocks.N.{norm1,attn,norm2,mlp}, norm, cls_token, '
                'pos_embed)')
    return out, left_out


def is_caformer(state: Dict[str, torch.Tensor]) -> bool:
    """MetaFormer weights (original ``downsample_layers`` or timm's)."""
    return any(
        k.startswith(('downsample_layers.', 'stem.', 'stages.'))
        for k in state) and not any(k.startswith('layer1.') for k in state)


def caformer_to_timm_backbone(
        state: Dict[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """CAFormer weights as ``TIMMBackbone`` keys (``timm_model.*``).

    Raises:
        ValueError: timm is not installed.
    """
    try:
        from timm.models.metaformer import checkpoint_filter_fn
    except ImportError as err:
        raise ValueError(
            'importing a CAFormer needs timm (pip install timm), which our '
            f'CAFormer configs use through TIMMBackbone: {err}') from err

    class _Names:  # checkpoint_filter_fn only reads model.state_dict()

        def state_dict(self):
            return {}

    renamed = checkpoint_filter_fn(dict(state), _Names())
    return OrderedDict(('timm_model.' + k, v) for k, v in renamed.items()
                       if not k.startswith('head.'))
