"""CAM / attention overlays for any checkpoint (PNG grid).

    python tools/analysis/visualize_cam.py CONFIG CHECKPOINT --out cam.png \
        [--num-images 8] [--ncols 2] [--l2 1e-4] [--fit-head]

Per test image (one per class, round robin): the image with its class, the
class activation map of its ground-truth class from a linear head (SCA
Eq. 8; the model's ``LinearClsHead`` or an L-BFGS head fitted on cached
train features, as ``cam_drop_increase.py``), its explanation map (image
times the normalised CAM, what AD/AI score), the channel-wise L2 norm of
the last feature map, and, for LCR models, the GFB attention.
"""
import argparse
import sys

import numpy as np
import torch
from mmengine.dataset import default_collate
from mmpretrain.registry import DATASETS

from mmssl_addons.evaluation.feature_cache import split_dataset_cfg
from mmssl_addons.evaluation.functional import explanation_maps
from mmssl_addons.evaluation.linear_head import cam_scores
from mmssl_addons.utils import init_model, load_config
from mmssl_addons.visualization import (label_tile, make_grid, overlay_heatmap,
                                        save_png_atomic, tensor_to_image)

sys.path.insert(0, __file__.rsplit('/', 1)[0])
from cam_drop_increase import add_head_args, get_head  # noqa: E402
from feature_args import add_feature_args  # noqa: E402
from visualize_attention import pick_indices  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    add_head_args(parser)
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--num-images', type=int, default=8)
    parser.add_argument('--ncols', type=int, default=2, help='images a row')
    args = parser.parse_args(argv)
    if not args.out.lower().endswith('.png'):
        sys.exit(f'error: --out must be a .png file, got {args.out}')
    cfg = load_config(args.config, args.cfg_options)
    model = init_model(cfg, args.checkpoint, args.device)
    head = get_head(args, cfg, model)
    dataset = DATASETS.build(split_dataset_cfg(cfg, 'test'))
    labels = np.array(
        [dataset.get_data_info(i)['gt_label'] for i in range(len(dataset))])
    picks = pick_indices(labels, args.num_images)
    batch = default_collate([dataset[i] for i in picks])
    images = batch['inputs']
    out = cam_scores(model, head, images, torch.as_tensor(labels[picks]))
    expl = explanation_maps(images.float(), out['cams']).clamp(0, 255)
    with torch.no_grad():
        data = model.data_preprocessor(
            dict(inputs=images, data_samples=None), False)
        x = data['inputs'][0] if isinstance(data['inputs'],
                                            list) else data['inputs']
        norm = model.backbone(x)[-1].norm(dim=1).cpu()
        gfb = model.extract_attention(x).cpu() if getattr(
            model, 'with_gfb', False) else None
    classes = dataset.metainfo.get('classes') or []

    tiles = []
    for j, i in enumerate(picks):
        img = tensor_to_image(images[j])
        name = str(classes[labels[i]]) if labels[i] < len(classes) else str(
            labels[i])
        row = [
            label_tile(img, name),
            label_tile(
                overlay_heatmap(img, out['cams'][j].numpy()),
                f"CAM p={float(out['full'][j]):.2f}"),
            label_tile(
                tensor_to_image(expl[j]),
                f"masked p={float(out['masked'][j]):.2f}"),
            label_tile(overlay_heatmap(img, norm[j].numpy()), '|feature|')
        ]
        if gfb is not None:
            row.append(label_tile(overlay_heatmap(img, gfb[j].numpy()), 'GFB'))
        tiles += row
    save_png_atomic(make_grid(tiles, ncols=len(row) * args.ncols), args.out)
    print(f'CAM overlays ({head.source}) written to {args.out}')
    return args.out


if __name__ == '__main__':
    main()
