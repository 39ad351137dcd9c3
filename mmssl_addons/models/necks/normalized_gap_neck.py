"""Global average pooling followed by L2 normalisation."""
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS


@MODELS.register_module()
class NormalizedGlobalAveragePooling(nn.Module):
    """GAP of the last map, L2-normalised: ``(N, C, H, W)`` -> ``(N, C)``.

    The base-method counterpart of :class:`GFBAttentionPoolNeck` in linear
    probes: both hand unit-norm features to the classifier, so a probe at a
    fixed learning rate compares the pooling, not the feature scale.
    """

    def forward(self, inputs: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
        return (F.normalize(inputs[-1].mean(dim=(2, 3)), dim=1), )
