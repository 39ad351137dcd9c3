"""Heat maps over images with the ground-truth outline (numpy + OpenCV)."""
import cv2
import numpy as np

from .attention_grid import overlay_heatmap

WHITE = (255, 255, 255)


def draw_outline(image: np.ndarray,
                 mask: np.ndarray,
                 colour=WHITE,
                 width: int = 1) -> np.ndarray:
    """Copy of ``image`` (H, W, 3) uint8 with the contour of ``mask``
    (H, W) bool drawn on it."""
    if mask.shape != image.shape[:2]:
        raise ValueError(f'mask {mask.shape} and image {image.shape[:2]} '
                         'must have the same size.')
    out = np.ascontiguousarray(image.copy())
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(out, contours, -1, colour, width)
    return out


def map_with_outline(image: np.ndarray, heatmap: np.ndarray,
                     mask: np.ndarray) -> np.ndarray:
    """The heat map over the image, with the mask's outline in white."""
    return draw_outline(overlay_heatmap(image, heatmap), mask)


def tensor_to_image(t) -> np.ndarray:
    """A ``(3, H, W)`` tensor of 0-255 values (as ``default_collate``
    stacks images) -> contiguous ``(H, W, 3)`` uint8."""
    return np.ascontiguousarray(t.permute(1, 2, 0).numpy().astype(np.uint8))
