"""Dataset wrapper adding cluster positives to each sample (SCA)."""
import warnings
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.dataset import Compose
from mmpretrain.registry import DATASETS, TRANSFORMS


def _compose(pipeline: Sequence) -> Compose:
    return Compose(
        [TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])


@DATASETS.register_module()
class SCAPositiveDataset:
    """Add ``P`` single-crop views of same-cluster images to each sample.

    Positive sampling of *SCA* (Sec. 2.3 and supplementary 1.1-1.2): every
    image of the wrapped dataset goes through ``pipeline`` (the core
    engine's views, e.g. SwAV's multi-crop) and is returned with
    ``num_positives`` extra views of images from its k-means cluster, each
    made by ``positive_pipeline`` (the same augmentations, a single crop).
    The wrapped dataset only supplies the images' data infos
    (``get_data_info``); its own pipeline is not used. A batch of ``N``
    samples then holds
    ``N x (P + 1)`` images. ``inputs`` becomes ``[view_1, ..., view_V,
    positive_1, ..., positive_P]`` and each data sample gets the metainfo
    ``sca_pseudo_label`` (the anchor's cluster) and ``sca_positive_idx``.

    Pseudo-labels are written by :class:`SCAClusteringHook` through
    :meth:`set_pseudo_labels` into a shared-memory tensor, so dataloader
    workers (persistent or not) see each epoch's clustering.

    Positives of image ``i`` are drawn from the other members of its cluster
    (with replacement only when there are fewer than ``P``) by a generator
    seeded with ``(seed, clustering epoch, i)``: the same seed, clustering
    and index always give the same positives, whatever the worker.

    Fallbacks: the positives are ``P`` single-crop views of the image
    itself (the paper notes that positives "can be different crops of the
    same image") before the first clustering (no hook, or label ``-1``) and
    for an image alone in its cluster. Before a clustering the pseudo-label
    is ``-1``, the classification loss skips it (the mask loss still trains)
    and a warning is issued once; an image alone in its cluster keeps its
    cluster id as its label, so both losses train on it.

    Args:
        dataset (dict | Dataset): the wrapped dataset (config or object).
        pipeline (Sequence[dict]): pipeline of the anchor (core views),
            ending with ``PackInputs``.
        num_positives (int): ``P``. Defaults to 1.
        positive_pipeline (Sequence[dict]): pipeline of one positive view,
            ending with ``PackInputs``; its ``inputs`` tensor is used.
        seed (int): seed of the positive choice. Defaults to 0.
    """

    def __init__(self,
                 dataset: Union[dict, object],
                 pipeline: Sequence[dict] = (),
                 num_positives: int = 1,
                 positive_pipeline: Sequence[dict] = (),
                 seed: int = 0) -> None:
        if not isinstance(num_positives, int) or num_positives < 1:
            raise ValueError(f'num_positives must be an int >= 1, got '
                             f'{num_positives!r}.')
        if not pipeline:
            raise ValueError(
                'pipeline is empty; give the anchor pipeline (e.g. load, '
                'MultiView of the core engine views, PackInputs).')
        if not positive_pipeline:
            raise ValueError(
                'positive_pipeline is empty; give the single-crop view '
                'pipeline ending with PackInputs (load, crop, augment, pack).')
        self.dataset = DATASETS.build(dataset) if isinstance(dataset,
                                                             dict) else dataset
        self.num_positives = num_positives
        self.pipeline = _compose(pipeline)
        self.positive_pipeline = _compose(positive_pipeline)
        self.seed = int(seed)
        self._labels = None
        self._shared_labels()  # in the main process, before any worker
        self._epoch = torch.full((1, ), -1, dtype=torch.long).share_memory_()
        self._cache = None  # (epoch, order, starts) in each process
        self._warned = False

    @property
    def metainfo(self) -> dict:
        return getattr(self.dataset, 'metainfo', {})

    def full_init(self) -> None:
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        self._shared_labels()

    def __len__(self) -> int:
        return len(self.dataset)

    def _shared_labels(self) -> torch.Tensor:
        """The ``(len,)`` shared-memory label tensor, made once."""
        if self._labels is None or len(self._labels) != len(self):
            self._labels = torch.full((len(self), ), -1,
                                      dtype=torch.long).share_memory_()
        return self._labels

    @property
    def pseudo_labels(self) -> torch.Tensor:
        """``(len,)`` current pseudo-labels (``-1``: not clustered)."""
        return self._shared_labels().clone()

    @property
    def cluster_epoch(self) -> int:
        """Epoch of the current clustering (``-1``: none yet)."""
        return int(self._epoch[0])

    def set_pseudo_labels(self, labels: torch.Tensor, epoch: int) -> None:
        """Install a clustering (called by :class:`SCAClusteringHook`).

        Call it before the workers are created (the runner does: hooks run
        before each epoch's iterator) so the shared tensors exist in them.
        """
        labels = torch.as_tensor(labels, dtype=torch.long).flatten()
        if labels.numel() != len(self):
            raise ValueError(
                f'{labels.numel()} pseudo-labels for a dataset of '
                f'{len(self)} images; the clustering hook must embed the '
                'same dataset (same data_root / split / order).')
        self._shared_labels().copy_(labels)
        self._epoch[0] = int(epoch)

    def positive_indices(self, idx: int) -> List[int]:
        """The ``P`` positive indices of image ``idx`` (deterministic)."""
        labels = self._shared_labels()
        epoch = int(self._epoch[0])
        label = int(labels[idx])
        if label < 0:
            return [idx] * self.num_positives
        if self._cache is None or self._cache[0] != epoch:
            order = torch.argsort(labels, stable=True).numpy()
            counts = np.bincount(labels.numpy(), minlength=label + 1)
            self._cache = (epoch, order,
                           np.concatenate([[0], np.cumsum(counts)]))
        _, order, starts = self._cache
        members = order[starts[label]:starts[label + 1]]
        members = members[members != idx]
        if len(members) == 0:
            return [idx] * self.num_positives
        rng = np.random.default_rng([self.seed, epoch + 1, idx])
        replace = len(members) < self.num_positives
        return [
            int(i)
            for i in rng.choice(members, self.num_positives, replace=replace)
        ]

    def _positive_view(self, idx: int) -> torch.Tensor:
        data = self.positive_pipeline(self.dataset.get_data_info(idx))
        view = data['inputs']
        if isinstance(view, (list, tuple)):
            if len(view) != 1:
                raise ValueError(
                    f'positive_pipeline made {len(view)} views; it must make '
                    'one (a single crop, no MultiView).')
            view = view[0]
        return view

    def __getitem__(self, idx: int) -> dict:
        sample = self.pipeline(self.dataset.get_data_info(idx))
        positives = self.positive_indices(idx)
        label = int(self._shared_labels()[idx])
        if label < 0 and not self._warned:
            self._warned = True
            warnings.warn(
                'SCAPositiveDataset: no clustering yet, the positives are '
                'views of the image itself (add SCAClusteringHook to '
                'custom_hooks to sample them from its cluster).')
        inputs = sample['inputs']
        inputs = list(inputs) if isinstance(inputs,
                                            (list, tuple)) else [inputs]
        inputs.extend(self._positive_view(j) for j in positives)
        sample['inputs'] = inputs
        data_sample = sample['data_samples']
        data_sample.set_metainfo(
            dict(sca_pseudo_label=label, sca_positive_idx=positives))
        return sample

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_positives={self.num_positives}, '
                f'seed={self.seed}, cluster_epoch={self.cluster_epoch}, '
                f'dataset={type(self.dataset).__name__} x {len(self)})')


def find_positive_dataset(dataset) -> Optional[SCAPositiveDataset]:
    """The :class:`SCAPositiveDataset` in ``dataset`` (or its wrappers)."""
    seen = 0
    while dataset is not None and seen < 8:
        if isinstance(dataset, SCAPositiveDataset):
            return dataset
        dataset = getattr(dataset, 'dataset', None)
        seen += 1
    return None
