from .bam_projector import BAMProjector
from .conv_mlp_neck import ConvMLPNeck
from .gfb_attention_pool_neck import GFBAttentionPoolNeck
from .normalized_gap_neck import NormalizedGlobalAveragePooling
from .normalized_mhsa import NormalizedMultiHeadSelfAttention

__all__ = [
    'BAMProjector', 'ConvMLPNeck', 'GFBAttentionPoolNeck',
    'NormalizedGlobalAveragePooling', 'NormalizedMultiHeadSelfAttention'
]
