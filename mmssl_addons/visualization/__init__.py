from .attention_grid import (attention_triplets, label_tile, make_grid,
                             overlay_heatmap, save_png_atomic)
from .mask_overlay import draw_outline, map_with_outline, tensor_to_image

__all__ = [
    'attention_triplets', 'label_tile', 'make_grid', 'overlay_heatmap',
    'save_png_atomic'
]
from .retrieval_grid import (cosine_topk, framed, load_tile, pick_queries,
                             retrieval_rows)

__all__ += [
    'cosine_topk', 'framed', 'load_tile', 'pick_queries', 'retrieval_rows'
]
__all__ += ['draw_outline', 'map_with_outline', 'tensor_to_image']
