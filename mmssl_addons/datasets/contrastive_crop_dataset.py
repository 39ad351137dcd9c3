"""A dataset wrapper that keeps one ContrastiveCrop box per sample."""
import copy

import torch
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .transforms.contrastive_crop import BOX_KEY


@DATASETS.register_module()
class ContrastiveCropDataset:
    """Wrap a dataset and put ``results['crop_box']`` of each sample into
    its pipeline (read by :class:`ContrastiveCrop`).

    The boxes, ``(len, 4)`` normalised ``(h0, w0, h1, w1)``, are set by
    :class:`ContrastiveCropHook`. Until the first :meth:`set_boxes` no box is
    passed (``has_boxes`` is False), so :class:`ContrastiveCrop` crops as
    ``RandomResizedCrop`` (BAM Appendix G: RandomCrop during the warm-up).
    Box ``k`` goes to sample ``k`` of the wrapped dataset. Boxes and flag
    live in shared memory and are updated in place, so dataloader workers
    (also ``persistent_workers``) see them without being restarted.

    Args:
        dataset (dict | BaseDataset): the wrapped dataset, with the training
            pipeline (its ``ContrastiveCrop`` transforms read the boxes).
    """

    def __init__(self, dataset) -> None:
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        if not isinstance(dataset, BaseDataset):
            raise TypeError('ContrastiveCropDataset wraps an mmengine '
                            f'BaseDataset, got {type(dataset).__name__}.')
        self.dataset = dataset
        self.metainfo = dataset.metainfo
        boxes = torch.zeros(len(dataset), 4)
        boxes[:, 2:] = 1.
        self.boxes = boxes.share_memory_()
        self._active = torch.zeros(1, dtype=torch.bool).share_memory_()

    @property
    def has_boxes(self) -> bool:
        """Whether boxes were set (else the pipeline gets none)."""
        return bool(self._active[0])

    def full_init(self) -> None:
        self.dataset.full_init()

    def __len__(self) -> int:
        return len(self.dataset)

    def set_boxes(self, boxes: torch.Tensor) -> None:
        """Replace every box (in place, visible to running workers); from
        now on each sample gets its box."""
        boxes = torch.as_tensor(boxes, dtype=torch.float32)
        if boxes.shape != self.boxes.shape:
            raise ValueError(
                f'expected boxes of shape {tuple(self.boxes.shape)}'
                f' (one per sample), got {tuple(boxes.shape)}.')
        h0, w0, h1, w1 = boxes.unbind(1)
        if not bool(((0 <= h0) & (h0 <= h1) & (h1 <= 1) & (0 <= w0) &
                     (w0 <= w1) & (w1 <= 1)).all()):
            raise ValueError('boxes must be normalised (h0, w0, h1, w1) with '
                             '0 <= h0 <= h1 <= 1 and 0 <= w0 <= w1 <= 1.')
        self.boxes.copy_(boxes)
        self._active.fill_(True)

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def __getitem__(self, idx: int) -> dict:
        data_info = copy.deepcopy(self.dataset.get_data_info(idx))
        if self.has_boxes:
            data_info[BOX_KEY] = tuple(self.boxes[idx].tolist())
        data_info.setdefault('sample_idx', idx)
        return self.dataset.pipeline(data_info)
