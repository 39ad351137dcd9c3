"""Figures and tables of ``tools/reproduce_mini.py``."""
import glob
import json
import os.path as osp

import numpy as np

from mmssl_addons.utils.atomic_io import atomic_path
from mmssl_addons.visualization import (label_tile, make_grid,
                                        map_with_outline, tensor_to_image)

ARMS = ('random', 'base', 'addon')


def _fmt(value, digits=1):
    return '-' if value is None else f'{value:.{digits}f}'


def claim_row(claim: dict) -> dict:
    """Means over seeds of each arm, for tables."""
    rows = claim['per_seed'].values()
    means = {
        arm:
        float(np.mean([r[arm] for r in rows
                       if arm in r])) if any(arm in r for r in rows) else None
        for arm in ARMS
    }
    return means


def summary_markdown(results) -> str:
    """One table row per claim of every result."""
    lines = [
        '| method | claim | metric | random init | base | add-on | '
        'add-on - base (mean +- std) | seeds | reproduced |',
        '|---|---|---|---|---|---|---|---|---|'
    ]
    for res in results:
        for claim in res['claims']:
            means = claim_row(claim)
            digits = 3 if claim['metric'] == 'background_sensitivity' else 1
            verdict = ('**yes**' if claim['reproduced'] else
                       ('no (1 seed)' if claim['std_delta'] is None else 'no'))
            arrow = '' if claim['higher_is_better'] else ' (lower is better)'
            name = res['addon'] + (f' [{res["variant"]}]' if res.get('variant')
                                   else '') + (f' [{res["tag"]}]'
                                               if res.get('tag') else '')
            lines.append(
                f'| {name} vs {res["base"]} | '
                f'{claim["label"]}{" (primary)" if claim["primary"] else ""} '
                f'| `{claim["metric"]}`{arrow} | '
                f'{_fmt(means["random"], digits)} | '
                f'{_fmt(means["base"], digits)} | '
                f'{_fmt(means["addon"], digits)} | '
                f'{claim["mean_delta"]:+.{digits}f} +- '
                f'{_fmt(claim["std_delta"], digits)} | '
                f'{len(claim["per_seed"])} | {verdict} |')
    return '\n'.join(lines) + '\n'


def load_results(work_dir: str):
    out = []
    for path in sorted(glob.glob(osp.join(work_dir, '*.json'))):
        with open(path) as f:
            doc = json.load(f)
        if isinstance(doc, dict) and 'claims' in doc and 'method' in doc:
            out.append(doc)
    return out


def map_tiles(images,
              masks,
              maps: dict,
              num: int = 6,
              upscale: int = 2,
              per_row: int = 3):
    """Per image: the image, then each arm's map over it with the object
    outline; ``maps`` is ``{name: (N, h, w)}``."""
    import cv2
    import torch.nn.functional as F
    tiles = []
    for i in range(min(num, len(images))):
        img = tensor_to_image(images[i])
        size = (img.shape[1] * upscale, img.shape[0] * upscale)
        big = cv2.resize(img, size, interpolation=cv2.INTER_NEAREST)
        mask = cv2.resize(
            masks[i].numpy().astype(np.uint8),
            size,
            interpolation=cv2.INTER_NEAREST) > 0
        tiles.append(label_tile(big, 'image'))
        for name, m in maps.items():
            heat = F.interpolate(
                m[i][None, None].float().clamp(min=0),
                size=(size[1], size[0]),
                mode='bilinear',
                align_corners=False)[0, 0].numpy()
            tiles.append(label_tile(map_with_outline(big, heat, mask), name))
    return make_grid(tiles, ncols=(1 + len(maps)) * per_row)


def save_figure(result: dict, tiles, path: str) -> None:
    """Per claim: each seed's value per arm and the means; below, maps."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    claims = result['claims']
    rows = 1 + (tiles is not None)
    fig = plt.figure(figsize=(4 * len(claims), 4 * rows))
    for j, claim in enumerate(claims):
        ax = fig.add_subplot(rows, len(claims), j + 1)
        for x, arm in enumerate(ARMS):
            values = [r[arm] for r in claim['per_seed'].values() if arm in r]
            if not values:
                continue
            ax.scatter([x] * len(values), values, color='C%d' % x, alpha=0.7)
            ax.hlines(np.mean(values), x - 0.3, x + 0.3, color='C%d' % x)
        ax.set_xticks(range(len(ARMS)))
        ax.set_xticklabels(['random', result['base'], result['addon']],
                           fontsize=8)
        verdict = 'reproduced' if claim['reproduced'] else 'not reproduced'
        ax.set_title(
            f'{claim["metric"]}: {verdict}\n'
            f'delta {claim["mean_delta"]:+.3g} +- '
            f'{_fmt(claim["std_delta"], 3)}',
            fontsize=9)
    if tiles is not None:
        ax = fig.add_subplot(rows, 1, rows)
        ax.imshow(tiles[..., ::-1])
        ax.set_axis_off()
        ax.set_title(
            'test images: maps of ' + result['base'] + ' / ' +
            result['addon'] + ' (white: object outline)',
            fontsize=9)
    fig.tight_layout()
    with atomic_path(path, suffix='.png') as tmp:
        fig.savefig(tmp, dpi=80, format='png')
    plt.close(fig)
