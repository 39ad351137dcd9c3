from .timm_activation_backbone import TIMMActivationBackbone

__all__ = ['TIMMActivationBackbone']
