"""mmpretrain's ``TIMMBackbone`` with activation layers named in a config."""
from typing import Dict, Optional

from mmpretrain.models import TIMMBackbone
from mmpretrain.registry import MODELS


@MODELS.register_module()
class TIMMActivationBackbone(TIMMBackbone):
    """``TIMMBackbone`` whose timm model takes activation *classes*.

    timm's MetaFormers take ``mlp_act`` / ``act1_layer`` as classes, which a
    config file cannot hold; here they are names resolved with
    ``timm.layers.get_act_layer`` (``'gelu'``, ``'relu'``, ``'star_relu'``
    ...). Used for BAM's released CAFormer (*Unsupervised Representation
    Learning by Balanced Self Attention Matching*, Shalam & Korman, ECCV
    2024: its code builds CAFormer with GELU in the MLPs and separable
    convolutions and no residual scaling).

    Args:
        act_layers (dict): timm keyword -> activation name.
        **kwargs: :class:`mmpretrain.models.TIMMBackbone` arguments (and
            further timm keywords, e.g. ``res_scale_init_values``).
    """

    def __init__(self,
                 model_name: str,
                 act_layers: Optional[Dict[str, str]] = None,
                 **kwargs) -> None:
        from timm.layers import get_act_layer
        acts = {}
        for key, name in (act_layers or {}).items():
            try:
                layer = get_act_layer(name)
            except KeyError:
                layer = None
            if layer is None:
                raise ValueError(f'unknown activation {name!r} for {key}; '
                                 "use a timm name such as 'gelu'.")
            acts[key] = layer
        super().__init__(model_name=model_name, **acts, **kwargs)
