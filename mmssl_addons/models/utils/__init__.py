from .addon_head import build_addon_head
from .align_cluster_ids import align_cluster_ids
from .attention_pool import attention_pool, normalize_attention
from .backbone_stages import stages_after
from .correlation_mask import correlation_mask
from .gradcam import gradcam_map, objective_gradcam
from .memory_bank import MemoryBank
from .multicrop import (forward_by_resolution, forward_per_view,
                        resolution_groups)
from .norm_stats import preserved_norm_stats
from .point_matching import grid_centres, match_points
from .saliency_boxes import (cnn_heatmap, heatmap_boxes,
                             vit_cls_attention_heatmap)

__all__ = [
    'forward_by_resolution', 'forward_per_view', 'resolution_groups',
    'attention_pool', 'build_addon_head', 'cnn_heatmap', 'correlation_mask',
    'gradcam_map', 'grid_centres', 'heatmap_boxes', 'match_points',
    'MemoryBank', 'normalize_attention', 'objective_gradcam',
    'preserved_norm_stats', 'stages_after', 'vit_cls_attention_heatmap',
    'align_cluster_ids'
]
