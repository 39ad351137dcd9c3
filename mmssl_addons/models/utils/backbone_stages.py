"""The backbone stages that follow one of its outputs."""
from functools import reduce
from typing import Callable, Optional

import torch.nn as nn


def stages_after(backbone: nn.Module, in_index: int) -> Optional[Callable]:
    """The stages after output ``in_index`` as one callable, or None.

    For ResNet-family backbones (mmpretrain's ``ResNet``, ``ResNetV1c``,
    ``ResNeXt``...), which name their stages in the public ``res_layers``
    and their outputs in ``out_indices``. None when the output is the last
    stage (nothing follows but the pooling). Other backbones are supported
    when ``in_index`` selects their last output.

    Args:
        backbone (nn.Module): the algorithm's backbone.
        in_index (int): index into the backbone's outputs.

    Returns:
        callable | None: ``(N, C, H, W)`` map -> the last stage's map.
    """
    out_indices = getattr(backbone, 'out_indices', None)
    layers = getattr(backbone, 'res_layers', None)
    if out_indices is None or layers is None:
        if in_index in (-1, ) or (out_indices is not None
                                  and in_index == len(out_indices) - 1):
            return None
        raise ValueError(
            f'{type(backbone).__name__} does not name its stages '
            f'(res_layers), so the stages after output {in_index} cannot be '
            'run; use its last output (in_index=-1) or a ResNet backbone.')
    stages = sorted(i % len(layers) for i in out_indices)
    later = layers[stages[in_index] + 1:]
    if not later:
        return None
    return lambda x: reduce(lambda y, name: getattr(backbone, name)
                            (y), later, x)
