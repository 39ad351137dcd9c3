"""Heat-map overlays and image grids (pure numpy + OpenCV)."""
from typing import List, Optional, Sequence

import cv2
import numpy as np

from ..utils import atomic_path


def overlay_heatmap(image: np.ndarray,
                    heatmap: np.ndarray,
                    alpha: float = 0.5) -> np.ndarray:
    """Blend a heat map onto an image.

    Args:
        image (ndarray): ``(H, W, 3)`` uint8, BGR.
        heatmap (ndarray): ``(h, w)`` float, any range; min-max normalised
            and resized (bilinear) to ``(H, W)``.
        alpha (float): weight of the heat map.

    Returns:
        ndarray: ``(H, W, 3)`` uint8, BGR.
    """
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'image must be (H, W, 3), got {image.shape}.')
    h, w = image.shape[:2]
    heat = np.asarray(heatmap, dtype=np.float32)
    heat = (heat - heat.min()) / (heat.max() - heat.min() + 1e-7)
    heat = cv2.resize(heat, (w, h), interpolation=cv2.INTER_LINEAR)
    colour = cv2.applyColorMap((heat * 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(image, 1 - alpha, colour, alpha, 0)


def label_tile(tile: np.ndarray, text: str) -> np.ndarray:
    """Write ``text`` in the tile's top-left corner (copy)."""
    tile = tile.copy()
    scale = max(tile.shape[0] / 256, 0.3)
    cv2.putText(tile, text, (3, int(12 * scale) + 3), cv2.FONT_HERSHEY_SIMPLEX,
                scale, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def make_grid(tiles: Sequence[np.ndarray],
              ncols: int,
              pad: int = 2) -> np.ndarray:
    """Tile equally sized ``(H, W, 3)`` images row by row."""
    if not tiles:
        raise ValueError('make_grid needs at least one tile.')
    h, w = tiles[0].shape[:2]
    nrows = -(-len(tiles) // ncols)
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, 3), 255,
                   np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, ncols)
        y, x = pad + r * (h + pad), pad + c * (w + pad)
        grid[y:y + h, x:x + w] = tile
    return grid


def attention_triplets(
        images: Sequence[np.ndarray],
        maps: Sequence[Sequence[np.ndarray]],
        names: Sequence[str],
        captions: Optional[Sequence[str]] = None) -> List[np.ndarray]:
    """For each image: the image, then one overlay per map kind."""
    tiles = []
    for i, image in enumerate(images):
        caption = captions[i] if captions else ''
        tiles.append(label_tile(image, caption))
        for name, kind in zip(names, maps):
            tiles.append(label_tile(overlay_heatmap(image, kind[i]), name))
    return tiles


def save_png_atomic(image: np.ndarray, path: str) -> None:
    """Write a BGR ``(H, W, 3)`` uint8 image as PNG, atomically."""
    ok, buf = cv2.imencode('.png', image)
    if not ok:
        raise RuntimeError(f'could not encode PNG for {path}.')
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            f.write(buf.tobytes())
