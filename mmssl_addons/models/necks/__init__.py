from .gfb_attention_pool_neck import GFBAttentionPoolNeck

__all__ = ['GFBAttentionPoolNeck']
