"""Build an add-on head: the one way every add-on algorithm does it."""
from typing import Optional, Union

import torch.nn as nn
from mmpretrain.registry import MODELS


def build_addon_head(
        cfg: Optional[Union[dict, nn.Module]]) -> Optional[nn.Module]:
    """A registered head from its config (or the module itself); None: off.

    Add-on algorithms take their head as one keyword argument
    (``gfb_head=``, ``sca_head=``) next to the base's own arguments and
    build it with this function after the base, so that ``None`` gives the
    base method unchanged.
    """
    if cfg is None or isinstance(cfg, nn.Module):
        return cfg
    if not isinstance(cfg, dict):
        raise TypeError(f'an add-on head is a config dict, a module or None, '
                        f'got {type(cfg).__name__}.')
    return MODELS.build(cfg)
