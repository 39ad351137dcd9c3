"""Spatial maps of a model on raw test images, for the mask probes.

Kinds, each ``(N, h, w)`` for raw ``(N, 3, H, W)`` images (0-255, as
``default_collate`` stacks them):

- ``norm``: channel-wise L2 norm of the last backbone stage (any model);
- ``gfb``: LCR's GradCAM-fitting attention (models with ``gfb_head``);
- ``gradcam``: the GradCAM of the SSL objective (LCR algorithms, also the
  plain base without a branch);
- ``cam``: the CAM of the given classes from a linear head
  (:class:`~mmssl_addons.evaluation.linear_head.LinearHead`).
"""
import torch

from .linear_head import cam_scores
from .mask_data import preprocess

MAP_KINDS = ('norm', 'gfb', 'gradcam', 'cam')


def probe_maps(model,
               kind: str,
               raw: torch.Tensor,
               labels: torch.Tensor = None,
               head=None,
               batch_size: int = 32) -> torch.Tensor:
    """``(N, h, w)`` float maps of ``kind`` (see the module docstring)."""
    if kind not in MAP_KINDS:
        raise ValueError(f'map kind must be one of {MAP_KINDS}, got '
                         f'{kind!r}')
    if kind == 'gfb' and not getattr(model, 'with_gfb', False):
        raise ValueError('--map gfb needs an LCR model (gfb_head); use '
                         '--map norm or --map cam for this checkpoint.')
    if kind == 'gradcam' and not hasattr(model, 'view_gradcam'):
        raise ValueError('--map gradcam needs an LCR algorithm (MoCoLCR, '
                         'BYOLLCR); use --map norm or --map cam.')
    if kind == 'cam' and (head is None or labels is None):
        raise ValueError('--map cam needs a linear head and labels.')
    out = []
    for start in range(0, len(raw), batch_size):
        batch = raw[start:start + batch_size]
        if kind == 'cam':
            out.append(
                cam_scores(model, head, batch,
                           labels[start:start + batch_size])['cams'].float())
            continue
        x = preprocess(model, batch)
        if kind == 'gradcam':
            out.append(model.view_gradcam(x).detach().float().cpu())
            continue
        with torch.no_grad():
            if kind == 'gfb':
                out.append(model.extract_attention(x).float().cpu())
            else:
                out.append(model.backbone(x)[-1].norm(dim=1).float().cpu())
    return torch.cat(out)
