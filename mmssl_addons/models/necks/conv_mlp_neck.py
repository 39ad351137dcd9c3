"""1x1-convolution MLP projector that keeps the spatial layout (CLoVE)."""
from collections import OrderedDict
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class ConvMLPNeck(BaseModule):
    """Projection head of CLoVE applied to every location of a feature map.

    *Self-supervised Learning of Contextualized Local Visual Embeddings*
    (Silva, Pedrini, Ramírez Rivera, ICCVW 2023), Sec. 6: a two-layer MLP
    (4096 hidden units, batch norm, ReLU, output 256) on the last backbone
    stage, as 1x1 convolutions: ``(N, C, H, W) -> (N, out_channels, H, W)``.
    By default it ends with a non-affine batch norm and no convolution has
    a bias (the released ``MLP2d``); ``with_last_bn=False`` drops that norm
    and gives the last convolution a bias (see docs/fidelity.md).

    Args:
        in_channels (int): channels of the backbone output (2048 for R50).
        hid_channels (int): hidden channels (4096).
        out_channels (int): output channels (256).
        with_last_bn (bool): end with a non-affine batch norm (released
            code). Defaults to True.
        norm_cfg (dict): mmcv norm layer config (``SyncBN`` at scale).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 hid_channels: int = 4096,
                 out_channels: int = 256,
                 with_last_bn: bool = True,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg)
        # named so that paramwise ``custom_keys={'bn': ...}`` finds the norms
        layers = [
            ('conv1', nn.Conv2d(in_channels, hid_channels, 1, bias=False)),
            ('bn1', build_norm_layer(norm_cfg, hid_channels)[1]),
            ('relu', nn.ReLU(inplace=True)),
            ('conv2',
             nn.Conv2d(hid_channels, out_channels, 1, bias=not with_last_bn)),
        ]
        if with_last_bn:
            layers.append(
                ('bn2',
                 build_norm_layer(dict(norm_cfg, affine=False),
                                  out_channels)[1]))
        self.mlp = nn.Sequential(OrderedDict(layers))

    def forward(
            self, x: Union[torch.Tensor,
                           Sequence[torch.Tensor]]) -> Tuple[torch.Tensor]:
        """Last of the backbone outputs ``(N, C, H, W)`` ->
        ``((N, out_channels, H, W), )``."""
        if isinstance(x, (list, tuple)):
            x = x[-1]
        if x.dim() != 4:
            raise ValueError('ConvMLPNeck expects a feature map (N, C, H, W), '
                             f'got {tuple(x.shape)}')
        return (self.mlp(x), )
