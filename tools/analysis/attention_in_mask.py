"""Attention energy and pointing game inside the object and part masks.

    python tools/analysis/attention_in_mask.py CONFIG CHECKPOINT \
        [--map norm|gfb|gradcam|cam] [--max-images N] [--out R.json] \
        [--png maps.png] [--cfg-options test_dataloader.dataset.data_root=D]

Needs the synthetic test bed (object mask and part label map per image) as
the test dataset. Maps of the test images after the test pipeline:

- ``norm``: channel-wise L2 norm of the last backbone stage (any model);
- ``gfb``: LCR's GradCAM-fitting attention (models with ``gfb_head``);
- ``gradcam``: the GradCAM of the SSL objective (LCR models);
- ``cam``: the CAM of the ground-truth class from a linear head (the
  classifier's or one fitted on train features, as ``cam_drop_increase``).

Each map is scored by ``attention_in_mask`` against the object mask and
each class-defining part (head, beak, tail, wing stripe; images without a
wing stripe are left out of that part). Results:
``<ckpt dir>/<ckpt>.attention_in_mask.json``; the PNG shows the maps over
the images with the object outline.
"""
import argparse
import os.path as osp
import sys

from mmssl_addons.evaluation.feature_cache import write_results
from mmssl_addons.evaluation.functional import attention_in_mask
from mmssl_addons.evaluation.mask_data import MASK_NAMES, load_split_with_masks
from mmssl_addons.evaluation.probe_maps import MAP_KINDS, probe_maps
from mmssl_addons.utils import init_model, load_config
from mmssl_addons.visualization import (label_tile, make_grid,
                                        map_with_outline, save_png_atomic,
                                        tensor_to_image)

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from cam_drop_increase import add_head_args, get_head  # noqa: E402
from feature_args import add_feature_args  # noqa: E402


def compute_maps(kind, model, inputs, labels, args=None, cfg=None):
    """``(N, h, w)`` maps of raw ``(N, 3, H, W)`` images."""
    head = get_head(args, cfg, model) if kind == 'cam' else None
    return probe_maps(model, kind, inputs, labels, head)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    add_head_args(parser)
    parser.add_argument('--map', default='norm', choices=MAP_KINDS)
    parser.add_argument('--max-images', type=int)
    parser.add_argument('--out', help='results JSON')
    parser.add_argument('--png', help='PNG of maps with the object outline')
    parser.add_argument('--num-png', type=int, default=8)
    args = parser.parse_args(argv)
    if args.png and not args.png.lower().endswith('.png'):
        sys.exit(f'error: --png must be a .png file, got {args.png}')
    cfg = load_config(args.config, args.cfg_options)
    model = init_model(cfg, args.checkpoint, args.device)
    data = load_split_with_masks(cfg, 'test', args.max_images)
    try:
        maps = compute_maps(args.map, model, data['inputs'], data['labels'],
                            args, cfg)
    except ValueError as err:
        sys.exit(f'error: {err}')
    results = {}
    for name in MASK_NAMES:
        masks = data['masks'][name]
        keep = masks.flatten(1).any(1)  # e.g. classes without a stripe
        if not keep.any():
            continue
        res = attention_in_mask(maps[keep], masks[keep])
        results[f'{name}/energy'] = res['energy']
        results[f'{name}/pointing'] = res['pointing']
        results[f'{name}/num_images'] = res['num_images']
        results[f'{name}/chance_energy'] = 100.0 * float(
            masks[keep].float().mean())
    path = write_results(
        results, args.checkpoint, 'attention_in_mask', args.out, map=args.map)
    for key, value in results.items():
        print(f'{key}: {value:.2f}')
    print(f'results written to {path}')
    if args.png:
        tiles = []
        for j in range(min(args.num_png, len(maps))):
            img = tensor_to_image(data['inputs'][j])
            tiles += [
                label_tile(img, f"class {int(data['labels'][j])}"),
                label_tile(
                    map_with_outline(img, maps[j].numpy(),
                                     data['masks']['object'][j].numpy()),
                    args.map)
            ]
        save_png_atomic(make_grid(tiles, ncols=4), args.png)
        print(f'maps written to {args.png}')
    return results


if __name__ == '__main__':
    main()
