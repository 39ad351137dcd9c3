from .attention_grid import (attention_triplets, label_tile, make_grid,
                             overlay_heatmap, save_png_atomic)

__all__ = [
    'attention_triplets', 'label_tile', 'make_grid', 'overlay_heatmap',
    'save_png_atomic'
]
