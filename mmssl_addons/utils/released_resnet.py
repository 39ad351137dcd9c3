"""Released MoCo-style ResNet checkpoints (LCR, MoCo v1/v2, DiLo, CLoVE)
in our names.

torchvision's ResNet names are mmpretrain's (``conv1``, ``layer1.0.conv1``,
``downsample.0`` ...), so an encoder maps key for key; what changes is where
the parts live:

=========================  ==============================================
released (``module.`` off)  ours (:class:`MoCoLCR` / mmpretrain ``MoCo``)
=========================  ==============================================
``encoder_q.<resnet>``      ``backbone.<resnet>``
``encoder_q.fc.0/fc.2``     ``neck.mlp.0/mlp.2`` (``MoCoV2Neck``)
``encoder_q.fc`` (v1)       ``neck.fc`` (``LinearNeck``)
``encoder_k.*``             ``encoder_k.module.0.*`` / ``encoder_k.module.1.*``
``queue``, ``queue_ptr``    ``queue``, ``queue_ptr``
``conv16.weight``           ``gfb_head.projections.weight`` (LCR)
``bn16.*``                  ``gfb_head.bn_relu.0.*`` (LCR)
=========================  ==============================================

The EMA wrapper's step counter ``encoder_k.steps`` is set to 1: mmengine's
``ExponentialMovingAverage`` copies the online weights into the average on
its first update (``steps == 0``), which would throw the released key
encoder away when training is resumed from the import.
"""
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

from .backbone_checkpoint import backbone_kind

LCR_BRANCH = {'conv16.weight': 'gfb_head.projections.weight'}
BN_FIELDS = ('weight', 'bias', 'running_mean', 'running_var',
             'num_batches_tracked')


def _under(state: Dict[str, torch.Tensor], prefix: str) -> 'OrderedDict':
    return OrderedDict(
        (k[len(prefix):], v) for k, v in state.items() if k.startswith(prefix))


def _with_bn_counters(state: 'OrderedDict') -> 'OrderedDict':
    for key in list(state):
        if key.endswith('.running_mean'):
            counter = key[:-len('running_mean')] + 'num_batches_tracked'
            state.setdefault(counter, torch.tensor(0, dtype=torch.long))
    return state


def split_encoder(state: Dict[str, torch.Tensor],
                  prefix: str,
                  source: str = 'checkpoint') -> Tuple['OrderedDict', dict]:
    """``(resnet weights, fc weights)`` of the encoder under ``prefix``.

    Raises:
        ValueError: the weights under ``prefix`` are not a ResNet.
    """
    encoder = _under(state, prefix)
    resnet = OrderedDict(
        (k, v) for k, v in encoder.items() if not k.startswith('fc.'))
    if backbone_kind(resnet) != 'resnet':
        raise ValueError(f'the weights under {prefix!r} in {source} are not a '
                         'torchvision ResNet (no conv1 + layer1 keys)')
    fc = OrderedDict(
        (k[len('fc.'):], v) for k, v in encoder.items() if k.startswith('fc.'))
    return _with_bn_counters(resnet), fc


def fc_to_neck(fc: dict) -> 'OrderedDict':
    """The released ``fc`` as our neck: MoCo v2 MLP or MoCo v1 linear."""
    if {'0.weight', '2.weight'} <= set(fc):
        return OrderedDict(('mlp.' + k, v) for k, v in fc.items())
    if 'weight' in fc:
        return OrderedDict(('fc.' + k, v) for k, v in fc.items())
    return OrderedDict()


def moco_to_ours(state: Dict[str, torch.Tensor],
                 with_gfb: bool = False,
                 source: str = 'checkpoint') -> Tuple['OrderedDict', List]:
    """A released MoCo / LCR state dict as our full model's state dict.

    Args:
        state: the released weights, ``module.`` removed.
        with_gfb: also map LCR's ``conv16`` / ``bn16`` to ``gfb_head``
            (load into ``MoCoLCR`` with ``gfb_head.with_bn_relu=True``).

    Returns:
        ``(state dict, released keys that have no counterpart here)``.
    """
    out = OrderedDict()
    used = set()
    for released, ours in (('encoder_q.', ''), ('encoder_k.', 'k')):
        resnet, fc = split_encoder(state, released, source)
        neck = fc_to_neck(fc)
        if ours == '':
            out.update(('backbone.' + k, v) for k, v in resnet.items())
            out.update(('neck.' + k, v) for k, v in neck.items())
        else:
            out.update(
                ('encoder_k.module.0.' + k, v) for k, v in resnet.items())
            out.update(('encoder_k.module.1.' + k, v) for k, v in neck.items())
        used.update(released + k for k in resnet)
        if neck:
            used.update(released + 'fc.' + k for k in fc)
    out['encoder_k.steps'] = torch.tensor(1, dtype=torch.long)
    for key in ('queue', 'queue_ptr'):
        if key in state:
            out[key] = state[key]
            used.add(key)
    if with_gfb:
        out['gfb_head.projections.weight'] = state['conv16.weight']
        used.add('conv16.weight')
        for field in BN_FIELDS:
            key = 'bn16.' + field
            if key in state:
                out['gfb_head.bn_relu.0.' + field] = state[key]
                used.add(key)
        out.setdefault('gfb_head.bn_relu.0.num_batches_tracked',
                       torch.tensor(0, dtype=torch.long))
    dropped = [k for k in state if k not in used]
    return out, dropped


def encoder_backbone(state: Dict[str, torch.Tensor],
                     prefix: str,
                     source: str = 'checkpoint') -> 'OrderedDict':
    """The ResNet under ``prefix`` (its ``fc`` left out)."""
    return split_encoder(state, prefix, source)[0]
