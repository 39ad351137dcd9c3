"""Video object segmentation by label propagation (DAVIS-2017, J&F mean).

    python tools/analysis/label_propagation.py CONFIG CHECKPOINT \
        --data-root data/DAVIS [--split val] [--n-last 7] [--topk 5] \
        [--temperature 0.1] [--size-mask-neighborhood 12] [--radius R] \
        [--no-norm-mask] [--label-downsample nearest] [--short-side 480] \
        [--stage -1] \
        [--save-masks DIR] [--out R.json]

The first frame's mask is propagated with k nearest neighbours in the
frozen backbone feature map (stage ``--stage``) from the first and the
``--n-last`` previous frames (DINO / CRW protocol; DINO's defaults: a
square window of 12 cells, ``norm_mask`` before the argmax, nearest
downsampling of the first mask); J (region IoU), F
(boundary F-measure) and their mean are averaged over objects. Synthetic
clips: ``python -m mmssl_addons.synthetic.video --out DIR``.
Results: ``<ckpt dir>/<ckpt>.label_propagation.json``.
"""
import argparse

import cv2
import torch
from mmengine.config import DictAction
from torch.utils.data import DataLoader

from mmssl_addons.evaluation.feature_cache import write_results
from mmssl_addons.evaluation.inference import run_over_loader
from mmssl_addons.evaluation.video_segmentation import (evaluate_davis,
                                                        resnet_output_stride)
from mmssl_addons.utils import init_model, load_config


def backbone_feature_fn(model, stage=-1, short_side=None, batch_size=8):
    """``frames (BGR uint8) -> (T, C, h, w)`` backbone features."""

    def stage_maps(model, inputs, data_samples):
        return model.backbone(inputs)[stage].float().cpu()

    def fn(frames):
        if short_side:
            h, w = frames[0].shape[:2]
            scale = short_side / min(h, w)
            size = (round(w * scale), round(h * scale))
            frames = [
                cv2.resize(f, size, interpolation=cv2.INTER_LINEAR)
                for f in frames
            ]
        frames = [torch.from_numpy(f).permute(2, 0, 1) for f in frames]
        loader = DataLoader(
            frames, batch_size=batch_size, collate_fn=_frame_batch)
        return torch.stack(
            run_over_loader(model, loader, stage_maps, gather=None))

    return fn


def _frame_batch(frames):
    """``(3, H, W)`` frames -> the data preprocessor's input dict."""
    return dict(inputs=torch.stack(frames), data_samples=None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--split', default='val')
    parser.add_argument('--resolution', default='480p')
    parser.add_argument('--n-last', type=int, default=7)
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument('--temperature', type=float, default=0.1)
    parser.add_argument(
        '--radius',
        type=float,
        help='spatial neighbourhood in feature cells (default: none)')
    parser.add_argument(
        '--size-mask-neighborhood',
        type=int,
        default=12,
        help='square window half-size in feature cells (DINO: 12; 0: off)')
    parser.add_argument(
        '--no-norm-mask',
        action='store_true',
        help="skip DINO's per-channel min-max norm_mask before the argmax")
    parser.add_argument(
        '--label-downsample',
        default='nearest',
        choices=['nearest', 'area'],
        help='first-mask downsampling (DINO: nearest)')
    parser.add_argument(
        '--stride',
        type=int,
        default=8,
        help='ResNet feature stride: later stage strides set to 1 '
        '(CRW / DINO stride-8 maps; 0 keeps the config)')
    parser.add_argument('--short-side', type=int, help='resize frames')
    parser.add_argument(
        '--stage', type=int, default=-1, help='backbone output index')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--save-masks', help='folder for predicted PNGs')
    parser.add_argument('--out', help='results JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    if args.stride and not resnet_output_stride(cfg.model.backbone,
                                                args.stride):
        print(f'--stride {args.stride} ignored: {cfg.model.backbone.type} '
              'is not an mmpretrain ResNet')
    model = init_model(cfg, args.checkpoint, args.device)
    fn = backbone_feature_fn(model, args.stage, args.short_side,
                             args.batch_size)
    res = evaluate_davis(
        fn,
        args.data_root,
        split=args.split,
        resolution=args.resolution,
        n_last=args.n_last,
        topk=args.topk,
        temperature=args.temperature,
        radius=args.radius,
        size_mask_neighborhood=args.size_mask_neighborhood,
        normalize=not args.no_norm_mask,
        label_downsample=args.label_downsample,
        save_dir=args.save_masks)
    results = {f'davis/{k}': res[k] for k in ('JF_mean', 'J_mean', 'F_mean')}
    path = write_results(
        results,
        args.checkpoint,
        'label_propagation',
        args.out,
        data_root=args.data_root,
        n_last=args.n_last,
        topk=args.topk,
        temperature=args.temperature,
        radius=args.radius,
        size_mask_neighborhood=args.size_mask_neighborhood,
        norm_mask=not args.no_norm_mask,
        label_downsample=args.label_downsample,
        stride=args.stride,
        per_video=res['per_video'])
    print(' '.join(f'{k}: {v:.4f}' for k, v in results.items()))
    print(f'results written to {path}')
    return results


if __name__ == '__main__':
    main()
