"""CAM Average Drop / Average Increase (SCA Sec. 3.4) of a checkpoint.

    python tools/analysis/cam_drop_increase.py CONFIG CHECKPOINT \
        [--l2 1e-4] [--max-images N] [--out R.json]

The CAM of the ground-truth class (SCA Eq. 8) comes from a linear head on
the pooled last backbone stage: the checkpoint's own ``LinearClsHead``
when CONFIG is an ``ImageClassifier`` with global average pooling (a linear
probe), otherwise a logistic regression fitted with L-BFGS on the cached
train features. Each test image and its explanation map (the image times
its min-max normalised CAM) are scored; AD and AI follow Grad-CAM++ (see
``mmssl_addons.evaluation.functional.cam``). Results:
``<ckpt dir>/<ckpt>.cam_drop_increase.json``.
"""
import argparse
import os.path as osp
import sys

import torch

from mmssl_addons.evaluation.feature_cache import (features_from_args,
                                                   labelled, split_dataset_cfg,
                                                   write_results)
from mmssl_addons.evaluation.functional import average_drop_increase
from mmssl_addons.evaluation.linear_head import (cam_scores,
                                                 fit_head_on_features,
                                                 head_from_classifier)
from mmssl_addons.utils import init_model, load_config

if osp.dirname(osp.abspath(__file__)) not in sys.path:  # loaded by path
    sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from feature_args import add_feature_args


def add_head_args(parser):
    parser.add_argument(
        '--l2',
        type=float,
        default=1e-4,
        help='L2 penalty of the fitted head (SSL checkpoints)')
    parser.add_argument(
        '--fit-head',
        action='store_true',
        help='fit a head even if the model has a linear classifier')


def get_head(args, cfg, model):
    """The classifier's head, or one fitted on cached train features."""
    head = None if args.fit_head else head_from_classifier(model)
    if head is None:
        args.feature = 'backbone_gap'
        feats, labels = labelled(
            features_from_args(args, 'train', cfg, model=model), 'the head')
        head = fit_head_on_features(feats, labels, 1 + int(labels.max()),
                                    args.l2)
    return head


def iterate_test(cfg, batch_size, max_images=None, num_workers=0):
    """Batches of the test split (raw images, labels), in order."""
    from mmengine.dataset import default_collate
    from mmpretrain.registry import DATASETS
    from torch.utils.data import DataLoader, Subset
    dataset = DATASETS.build(split_dataset_cfg(cfg, 'test'))
    if max_images is not None:
        dataset = Subset(dataset, range(min(max_images, len(dataset))))
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=default_collate)
    from tqdm import tqdm
    for batch in tqdm(loader, desc='CAM drop / increase', unit='batch'):
        labels = torch.stack(
            [s.gt_label.view(()) for s in batch['data_samples']])
        yield batch['inputs'], labels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_feature_args(parser, split=False)
    add_head_args(parser)
    parser.add_argument('--max-images', type=int)
    parser.add_argument('--out', help='results JSON')
    args = parser.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    model = init_model(cfg, args.checkpoint, args.device)
    head = get_head(args, cfg, model)
    full, masked = [], []
    for images, labels in iterate_test(cfg, args.batch_size, args.max_images,
                                       args.num_workers):
        out = cam_scores(model, head, images, labels)
        full.append(out['full'])
        masked.append(out['masked'])
    res = average_drop_increase(torch.cat(full), torch.cat(masked))
    results = {f'cam/{k}': v for k, v in res.items()}
    path = write_results(
        results,
        args.checkpoint,
        'cam_drop_increase',
        args.out,
        head=head.source,
        num_images=int(sum(len(f) for f in full)))
    print(f"Average Drop {res['average_drop']:.2f} (lower is better), "
          f"Average Increase {res['average_increase']:.2f} (higher is "
          f'better); head: {head.source}')
    print(f'results written to {path}')
    return results


if __name__ == '__main__':
    main()
