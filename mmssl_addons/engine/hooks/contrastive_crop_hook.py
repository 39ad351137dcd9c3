"""Recompute ContrastiveCrop boxes from heatmaps during training."""
from typing import Optional

import torch
from mmengine.dist import broadcast, collect_results, is_main_process
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from torch.utils.data import DataLoader

from mmssl_addons.datasets.contrastive_crop_dataset import \
    ContrastiveCropDataset
from mmssl_addons.models.utils import saliency_boxes
from .loader_inference import eval_mode, preprocessed_batches, unwrap_model

CKPT_KEY = 'contrastive_crop'
_HEATMAPS = {
    'cnn': saliency_boxes.cnn_heatmap,
    'vit': saliency_boxes.vit_cls_attention_heatmap
}


@HOOKS.register_module()
class ContrastiveCropHook(Hook):
    """Update the boxes of a :class:`ContrastiveCropDataset` every
    ``interval`` epochs after ``warmup_epochs`` (ContrastiveCrop, Peng et al.
    CVPR 2022; BAM Appendix G: warm-up 40 epochs, every 20 epochs).

    Heatmaps come from the online backbone (``model.backbone``) in eval
    mode: ``arch='cnn'`` sums the last-stage feature map over channels,
    ``arch='vit'`` sums the last block's [cls]-to-patch attention over heads
    (mmpretrain ``VisionTransformer``). Boxes enclose the part of the
    min-max-normalised, upsampled map above ``threshold``.

    ``dataloader`` must walk the same samples in the same order as the
    training dataset, without augmentation and with a plain ``Resize`` to a
    fixed size (no centre crop: box coordinates are relative to the whole
    image), ``DefaultSampler(shuffle=False)``. In distributed runs each rank
    handles its shard; rank 0 assembles and broadcasts the boxes.

    The boxes are stored in the checkpoint (``checkpoint['contrastive_crop']``
    as a plain tensor, so ``torch.load(weights_only=True)`` works) and put
    back into the dataset on ``--resume``.

    Args:
        dataloader (dict | DataLoader): the box-computation loader.
        warmup_epochs (int): epochs with whole-image boxes. Defaults to 40.
        interval (int): epochs between updates. Defaults to 20.
        arch (str): ``'cnn'`` or ``'vit'``. Defaults to ``'cnn'``.
        threshold (float): heatmap threshold in ``[0, 1)``. Defaults to 0.1.
    """

    priority = 'NORMAL'

    def __init__(self,
                 dataloader,
                 warmup_epochs: int = 40,
                 interval: int = 20,
                 arch: str = 'cnn',
                 threshold: float = 0.1) -> None:
        if arch not in _HEATMAPS:
            raise ValueError(f'arch must be one of {sorted(_HEATMAPS)}, got '
                             f'{arch!r}.')
        if interval < 1 or warmup_epochs < 0:
            raise ValueError('need interval >= 1 and warmup_epochs >= 0, got '
                             f'{interval}, {warmup_epochs}.')
        if not 0 <= threshold < 1:
            raise ValueError(f'threshold must be in [0, 1), got {threshold}.')
        self.dataloader = dataloader
        self.warmup_epochs = warmup_epochs
        self.interval = interval
        self.arch = arch
        self.threshold = threshold
        self._pending: Optional[torch.Tensor] = None
        self.last_update_epoch = -1

    @staticmethod
    def _dataset(runner) -> ContrastiveCropDataset:
        dataset = runner.train_dataloader.dataset
        if not isinstance(dataset, ContrastiveCropDataset):
            raise TypeError(
                'ContrastiveCropHook needs train_dataloader.dataset to be a '
                f'ContrastiveCropDataset, got {type(dataset).__name__}; wrap '
                "it: dataset=dict(type='ContrastiveCropDataset', "
                'dataset=...).')
        return dataset

    def before_train(self, runner) -> None:
        dataset = self._dataset(runner)
        self._loader(runner)  # a config mistake fails before training
        if self._pending is not None:
            dataset.set_boxes(self._pending)
            self._pending = None

    def is_update_epoch(self, finished_epochs: int) -> bool:
        done = finished_epochs - self.warmup_epochs
        return done >= 0 and done % self.interval == 0

    def after_train_epoch(self, runner) -> None:
        finished = runner.epoch + 1
        if self.is_update_epoch(finished):
            boxes = self.compute_boxes(runner)
            self._dataset(runner).set_boxes(boxes)
            self.last_update_epoch = finished
            runner.logger.info(
                f'ContrastiveCrop: boxes updated after epoch {finished}, '
                f'mean area {box_area(boxes).mean():.3f}')

    def _loader(self, runner) -> DataLoader:
        if not isinstance(self.dataloader, DataLoader):
            self.dataloader = runner.build_dataloader(self.dataloader)
        return self.dataloader

    @torch.no_grad()
    def compute_boxes(self, runner) -> torch.Tensor:
        """``(len, 4)`` boxes from the current backbone, same on all ranks."""
        loader = self._loader(runner)
        target = self._dataset(runner)
        if len(loader.dataset) != len(target):
            raise ValueError(
                f'ContrastiveCropHook dataloader has {len(loader.dataset)} '
                f'samples, the training dataset {len(target)}: both must list '
                'the same images in the same order.')
        model = unwrap_model(runner.model)
        heatmap_fn = _HEATMAPS[self.arch]
        results = []
        with eval_mode(model):
            for inputs, _ in preprocessed_batches(model, loader):
                maps = heatmap_fn(model.backbone, inputs)
                boxes = saliency_boxes.heatmap_boxes(maps.cpu(),
                                                     inputs.shape[-2:],
                                                     self.threshold)
                results.extend(b.clone() for b in boxes)
        results = collect_results(results, len(loader.dataset), 'cpu')
        boxes = torch.stack(results) if is_main_process() else \
            torch.zeros(len(target), 4)
        device = next(model.parameters()).device
        boxes = boxes.to(device)
        broadcast(boxes, src=0)
        return boxes.cpu()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[CKPT_KEY] = dict(
            boxes=self._dataset(runner).boxes.clone(),
            last_update_epoch=int(self.last_update_epoch))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(CKPT_KEY)
        if state is None:
            return
        self._pending = state['boxes'].float()
        # put into the dataset by before_train (it runs after the resume)
        self.last_update_epoch = int(state.get('last_update_epoch', -1))


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """Normalised area of ``(N, 4)`` ``(h0, w0, h1, w1)`` boxes."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
