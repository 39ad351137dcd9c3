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


# CAFormer sizes: (stem channels, blocks per stage) -> timm model name
CAFORMERS = {
    (64, (3, 3, 9, 3)): 'caformer_s18',
    (64, (3, 12, 18, 3)): 'caformer_s36',
    (96, (3, 12, 18, 3)): 'caformer_m36',
    (128, (3, 12, 18, 3)): 'caformer_b36',
}


def caformer_name(state: Dict[str, torch.Tensor]) -> str:
    """timm's name of the CAFormer size (original or timm key names)."""
    stem = next(
        (state[k]
         for k in ('downsample_layers.0.conv.weight',
                   'downsample_layers.0.proj.weight', 'stem.conv.weight')
         if k in state), None)
    depths = []
    for i in range(4):
        blocks = {
            int(m.group(1))
            for k in state
            for m in [re.match(rf'^stages\.{i}\.(?:blocks\.)?(\d+)\.', k)] if m
        }
        depths.append(len(blocks))
    key = (None if stem is None else int(stem.shape[0]), tuple(depths))
    if key not in CAFORMERS:
        raise ValueError(f'unknown CAFormer size: stem channels {key[0]}, '
                         f'blocks per stage {key[1]} (known: '
                         f'{", ".join(CAFORMERS.values())})')
    return CAFORMERS[key]


def caformer_to_timm_backbone(
    state: Dict[str, torch.Tensor]
) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """CAFormer weights as ``TIMMBackbone`` keys (``timm_model.*``).

    Returns:
        ``(weights, timm keys the release lacks)``. BAM builds its CAFormer
        with ``nn.GELU`` activations and no residual scaling
        (``utils.get_arch``); timm's default model has StarReLU ``scale`` /
        ``bias`` and ``res_scale`` parameters, so those are reported. The
        released architecture (:class:`TIMMActivationBackbone`, config
        ``bam_caformer-m36-released_*``) loads the weights strictly.

    Raises:
        ValueError: timm is not installed, or an unknown CAFormer size.
    """
    try:
        import timm
        from timm.models.metaformer import checkpoint_filter_fn
    except ImportError as err:
        raise ValueError(
            'importing a CAFormer needs timm (pip install timm), which our '
            f'CAFormer configs use through TIMMBackbone: {err}') from err
    model = timm.create_model(
        caformer_name(state), pretrained=False, num_classes=0)
    reference = model.state_dict()
    renamed = checkpoint_filter_fn(dict(state), model)
    unknown = sorted(set(renamed) - set(reference))
    if unknown:
        raise ValueError(f'CAFormer keys that timm does not know: '
                         f'{", ".join(unknown[:10])}')
    missing = sorted(set(reference) - set(renamed))
    out = OrderedDict(('timm_model.' + k, v) for k, v in renamed.items())
    return out, ['timm_model.' + k for k in missing]
