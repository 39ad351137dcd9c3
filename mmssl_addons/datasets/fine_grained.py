"""Fine-grained datasets (CUB, Cars, Aircraft) with checks and label subsets.

Thin subclasses of mmpretrain's datasets that add what LCR's protocols need:

- a clear error when the dataset root is missing, naming the path, where
  to get the data and the synthetic demo alternative;
- ``label_fraction``: a deterministic per-class subset of the labelled
  images (the 100/50/20% label-proportion linear probes of LCR, Table 2);
- for CUB-layout folders, class names read from ``classes.txt`` so the
  embedded synthetic dataset gets its own (fewer) classes.
"""
import math
import os.path as osp
from collections import defaultdict
from typing import List, Optional

import numpy as np
from mmpretrain.datasets import CUB, FGVCAircraft, StanfordCars
from mmpretrain.registry import DATASETS

SYNTHETIC_HINT = (
    'For a quick start without downloads use the embedded synthetic data: '
    '`make demo`, or `python -m mmssl_addons.synthetic --out '
    'data/synthetic_cub` with the configs/*/*_synthetic*.py configs.')


def check_data_root(data_root: str, required: List[str], name: str,
                    how_to_get: str) -> None:
    """Raise ``FileNotFoundError`` naming what is missing and the fix."""
    missing = [f for f in required if not osp.exists(osp.join(data_root, f))]
    if not osp.isdir(data_root) or missing:
        what = ('the folder does not exist' if not osp.isdir(data_root) else
                'missing ' + ', '.join(missing))
        raise FileNotFoundError(
            f'{name} not found at {data_root!r} ({what}). {how_to_get} '
            f'{SYNTHETIC_HINT}')
    for f in required:
        path = osp.join(data_root, f)
        if osp.isfile(path) and is_blank(path):
            raise ValueError(
                f'{name} annotation file {path!r} is empty: it lists no '
                'samples. Restore it from the dataset archive (or '
                're-generate the synthetic data with --overwrite).')


def is_blank(path: str) -> bool:
    """The file holds nothing but whitespace."""
    with open(path, 'rb') as f:
        return not f.read(1 << 16).strip() and osp.getsize(path) < (1 << 16)


def label_subset(data_list: List[dict], fraction: float,
                 seed: int) -> List[dict]:
    """Keep ``ceil(fraction * n_c)`` (>= 1) samples of each class ``c``.

    The choice depends only on ``(seed, class, class size)``, so it is the
    same on every run and every rank; the original order is kept.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f'label_fraction must be in (0, 1], got {fraction}.')
    if fraction == 1:
        return data_list
    by_class = defaultdict(list)
    for i, info in enumerate(data_list):
        by_class[int(info['gt_label'])].append(i)
    keep = []
    for label, indices in sorted(by_class.items()):
        rng = np.random.default_rng([seed, label])
        n_keep = max(1, math.ceil(fraction * len(indices)))
        keep.extend(rng.choice(indices, n_keep, replace=False).tolist())
    return [data_list[i] for i in sorted(keep)]


class _FineGrainedMixin:
    """Root check + label fraction around an mmpretrain dataset."""

    REQUIRED: List[str] = []
    NAME = ''
    HOW_TO_GET = ''

    def __init__(self,
                 data_root: str,
                 label_fraction: float = 1.0,
                 subset_seed: int = 0,
                 **kwargs) -> None:
        check_data_root(data_root, self.REQUIRED, self.NAME, self.HOW_TO_GET)
        self.label_fraction = label_fraction
        self.subset_seed = subset_seed
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        if not data_list:
            raise ValueError(
                f'{self.NAME} at {self.data_root!r} has no samples in this '
                f'split ({getattr(self, "split", "?")!r}): its annotation '
                'files list none. Check them against the dataset archive.')
        return label_subset(data_list, self.label_fraction, self.subset_seed)


@DATASETS.register_module()
class FineGrainedCUB(_FineGrainedMixin, CUB):
    """CUB-200-2011 layout (real CUB or the embedded synthetic dataset).

    Args:
        data_root (str): folder with ``images/``, ``images.txt``,
            ``image_class_labels.txt`` and ``train_test_split.txt``.
        split (str): ``'train'`` or ``'test'``.
        label_fraction (float): fraction of each class kept. Defaults to 1.
        subset_seed (int): seed of the per-class subset. Defaults to 0.
        **kwargs: :class:`mmpretrain.datasets.CUB` arguments.
    """

    REQUIRED = [
        'images.txt', 'image_class_labels.txt', 'train_test_split.txt',
        'images'
    ]
    NAME = 'CUB-200-2011'
    HOW_TO_GET = ('Download CUB_200_2011.tgz (Caltech-UCSD Birds-200-2011) '
                  'and extract it so that data/CUB_200_2011/images.txt '
                  'exists, or pass data_root=... / --cfg-options '
                  'train_dataloader.dataset.data_root=PATH.')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 label_fraction: float = 1.0,
                 subset_seed: int = 0,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        classes_file = osp.join(data_root, 'classes.txt')
        if metainfo is None and osp.isfile(classes_file):
            with open(classes_file) as f:
                names = [
                    line.split(maxsplit=1)[1].strip() for line in f
                    if line.strip()
                ]
            metainfo = dict(classes=names)
        super().__init__(
            data_root=data_root,
            label_fraction=label_fraction,
            subset_seed=subset_seed,
            split=split,
            metainfo=metainfo,
            **kwargs)


@DATASETS.register_module()
class FineGrainedCars(_FineGrainedMixin, StanfordCars):
    """Stanford Cars (mmpretrain layout) with root check and label subsets.

    Args:
        data_root (str): the Stanford Cars folder.
        split (str): ``'train'`` (default) or ``'test'``.
        label_fraction (float): fraction of each class kept. Defaults to 1.
        subset_seed (int): seed of the per-class subset. Defaults to 0.
    """

    REQUIRED: List[str] = []
    NAME = 'Stanford Cars'
    HOW_TO_GET = ('Download Stanford Cars and arrange it as mmpretrain\'s '
                  'StanfordCars dataset documents (cars_train/, cars_test/, '
                  'devkit/ or cars_annos.mat).')


@DATASETS.register_module()
class FineGrainedAircraft(_FineGrainedMixin, FGVCAircraft):
    """FGVC-Aircraft (mmpretrain layout) with root check and label subsets.

    Args:
        data_root (str): the fgvc-aircraft-2013b folder.
        split (str): ``'train'``, ``'val'``, ``'trainval'`` (default) or
            ``'test'``.
        label_fraction (float): fraction of each class kept. Defaults to 1.
        subset_seed (int): seed of the per-class subset. Defaults to 0.
    """

    REQUIRED = ['data']
    NAME = 'FGVC-Aircraft'
    HOW_TO_GET = ('Download fgvc-aircraft-2013b.tar.gz and extract it so '
                  'that data/fgvc-aircraft-2013b/data/images exists.')
