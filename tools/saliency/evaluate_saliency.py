"""Saliency quality against ground-truth masks: F-beta and MAE.

    # masks already computed (any size; resized to the ground truth)
    python tools/saliency/evaluate_saliency.py DATA_ROOT --pred DIR \
        [--out result.json]
    # or compute on the fly and also time each method (images/s per core)
    python tools/saliency/evaluate_saliency.py DATA_ROOT \
        --methods rbd gs mc centre --limit 200 --out result.json

Ground truth: DATA_ROOT/segmentations/<image path>.png (the synthetic and
CUB layout; 255 = object), or --gt DIR. F-beta uses beta^2 = 0.3 and the
adaptive threshold (twice the mean saliency, Achanta et al. 2009), averaged
over images; MAE is the mean absolute error of the [0, 1] map. Speed
(``--methods``) is images per second of CPU time of this process (images/s
per core with OMP_NUM_THREADS=1), which a shared machine barely affects.
"""
import argparse
import os.path as osp
import sys
import time

import cv2
import numpy as np

from mmssl_addons.datasets.transforms.copy_paste import (list_images,
                                                         mirrored_mask_path,
                                                         resize_mask)
from mmssl_addons.evaluation.functional.saliency import BETA2, saliency_scores
from mmssl_addons.saliency import SALIENCY_METHODS, estimate_saliency
from mmssl_addons.saliency.offline import default_image_root, read_rgb
from mmssl_addons.utils.atomic_io import dump_json_atomic


def _mean(scores):
    keys = scores[0].keys()
    return {k: float(np.mean([s[k] for s in scores])) for k in keys}


def evaluate(img_root,
             gt_root,
             rels,
             method=None,
             pred_root=None,
             max_side=400,
             progress=True):
    from tqdm import tqdm
    scores, seconds = [], 0.
    for rel in tqdm(
            rels,
            desc=f'evaluating {method or pred_root}',
            unit='img',
            disable=not progress):
        img_path = osp.join(img_root, rel)
        gt_path = mirrored_mask_path(img_path, img_root, gt_root)
        gt = cv2.imread(gt_path, cv2.IMREAD_GRAYSCALE)
        if gt is None:
            raise FileNotFoundError(f'ground-truth mask {gt_path!r} missing')
        if pred_root:
            path = mirrored_mask_path(img_path, img_root, pred_root)
            pred = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
            if pred is None:
                raise FileNotFoundError(
                    f'predicted mask {path!r} missing: run '
                    'tools/saliency/compute_saliency.py first')
            sal = resize_mask(pred, gt.shape)
        else:
            img = read_rgb(img_path, max_side)
            t0 = time.process_time()  # CPU time: per core, load-proof
            sal = estimate_saliency(img, method)
            seconds += time.process_time() - t0
            sal = resize_mask(sal, gt.shape)
        scores.append(saliency_scores(sal, gt))
    out = _mean(scores)
    out['images'] = len(rels)
    if not pred_root:
        out['images_per_s_per_core'] = len(rels) / max(seconds, 1e-9)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--pred', help='folder of predicted masks')
    parser.add_argument(
        '--methods',
        nargs='+',
        choices=sorted(SALIENCY_METHODS),
        help='compute these methods on the fly (single process, timed)')
    parser.add_argument('--gt', help='ground truth (DATA_ROOT/segmentations)')
    parser.add_argument('--images', help='image folder (DATA_ROOT/images)')
    parser.add_argument('--limit', type=int, default=0, help='first N images')
    parser.add_argument('--max-side', type=int, default=400)
    parser.add_argument('--out', help='write the results as JSON here')
    parser.add_argument('--no-progress', action='store_true')
    args = parser.parse_args(argv)
    if bool(args.pred) == bool(args.methods):
        sys.exit('error: give either --pred DIR or --methods ...')
    img_root = args.images or default_image_root(args.data_root)
    gt_root = args.gt or osp.join(args.data_root, 'segmentations')
    if not osp.isdir(gt_root):
        sys.exit(f'error: ground-truth folder {gt_root!r} not found (--gt)')
    rels = list_images(img_root)
    if args.limit:
        rels = rels[:args.limit]
    if not rels:
        sys.exit(f'error: no images under {img_root!r}')
    results = dict(
        data_root=args.data_root,
        beta2=BETA2,
        threshold='2 x mean',
        methods={})
    if args.pred:
        results['methods'][args.pred] = evaluate(
            img_root,
            gt_root,
            rels,
            pred_root=args.pred,
            progress=not args.no_progress)
    else:
        for m in args.methods:
            results['methods'][m] = evaluate(
                img_root,
                gt_root,
                rels,
                method=m,
                max_side=args.max_side,
                progress=not args.no_progress)
    print('| method | F-beta | MAE | precision | recall | img/s/core |')
    print('|---|---|---|---|---|---|')
    for name, r in results['methods'].items():
        speed = r.get('images_per_s_per_core')
        speed = f'{speed:.1f}' if speed else '-'
        print(f'| {name} | {r["fbeta"]:.3f} | {r["mae"]:.3f} | '
              f'{r["precision"]:.3f} | {r["recall"]:.3f} | {speed} |')
    if args.out:
        dump_json_atomic(results, args.out)


if __name__ == '__main__':
    main()
