"""Recompute ContrastiveCrop boxes from heatmaps during training."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from torch.utils.data import DataLoader

from mmssl_addons.datasets.contrastive_crop_dataset import \
    ContrastiveCropDataset
from mmssl_addons.evaluation.inference import run_over_loader
from mmssl_addons.models.utils import saliency_boxes
from .model_wrapper import unwrap_model

CKPT_KEY = 'contrastive_crop'
_HEATMAPS = {
    'cnn': saliency_boxes.cnn_heatmap,
    'vit': saliency_boxes.vit_cls_attention_heatmap
}
ENCODERS = ('teacher', 'student')
# EMA copies of ``nn.Sequential(backbone, neck)`` (BAM, CLoVE, BYOL-style)
_TEACHER_ATTRS = ('momentum_encoder', 'target_net', 'teacher')


def teacher_backbone(model) -> Optional[nn.Module]:
    """The backbone of the model's EMA teacher, or None without one.

    Looks for ``momentum_encoder`` / ``target_net`` / ``teacher`` (an
    mmengine averaged model or a module) whose module is
    ``nn.Sequential(backbone, neck)`` or has a ``backbone``.
    """
    for name in _TEACHER_ATTRS:
        teacher = getattr(model, name, None)
        if teacher is None:
            continue
        teacher = getattr(teacher, 'module', teacher)
        if isinstance(teacher, nn.Sequential):
            return teacher[0]
        if hasattr(teacher, 'backbone'):
            return teacher.backbone
    return None


@HOOKS.register_module()
class ContrastiveCropHook(Hook):
    """Update the boxes of a :class:`ContrastiveCropDataset` every
    ``interval`` epochs after ``warmup_epochs`` (ContrastiveCrop, Peng et al.
    CVPR 2022; BAM Appendix G: "we initially employ RandomCrop ... after a
    warmup period of 40 epochs, we transition to ContrastiveCrop and update
    bounding boxes every 20 epochs").

    The first ``warmup_epochs`` epochs see no box (the dataset passes none,
    :class:`ContrastiveCrop` crops as ``RandomResizedCrop``); boxes are
    computed after epochs ``warmup_epochs``, ``warmup_epochs + interval``,
    ..., except after the last epoch (nothing would use them).

    Heatmaps come in eval mode from the EMA teacher's backbone
    (``encoder='teacher'``, default: the authors' code passes the teacher
    where there is one) or the online backbone (``'student'``; also used,
    with a log line, when the model has no teacher): ``arch='cnn'`` sums the
    last-stage feature map over channels,
    ``arch='vit'`` sums the last block's [cls]-to-patch attention over heads
    (mmpretrain ``VisionTransformer``). Boxes enclose the part of the
    min-max-normalised, upsampled map above ``threshold``.

    ``dataloader`` must walk the same samples in the same order as the
    training dataset, without augmentation and with a plain ``Resize`` to a
    fixed size (no centre crop: box coordinates are relative to the whole
    image) and ``PackInputs`` (its ``sample_idx`` puts box ``k`` on sample
    ``k`` whatever the sampler's order; an ``img_path`` that differs from
    the training sample's is an error). In distributed runs each rank
    handles its shard and every rank assembles all boxes.

    The boxes are stored in the checkpoint (``checkpoint['contrastive_crop']``
    as a plain tensor, so ``torch.load(weights_only=True)`` works) and put
    back into the dataset on ``--resume``.

    Args:
        dataloader (dict | DataLoader): the box-computation loader.
        warmup_epochs (int): epochs with whole-image boxes. Defaults to 40.
        interval (int): epochs between updates. Defaults to 20.
        arch (str): ``'cnn'`` or ``'vit'``. Defaults to ``'cnn'``.
        threshold (float): heatmap threshold in ``[0, 1)``. Defaults to 0.1.
        encoder (str): ``'teacher'`` or ``'student'``. Defaults to
            ``'teacher'``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 dataloader,
                 warmup_epochs: int = 40,
                 interval: int = 20,
                 arch: str = 'cnn',
                 threshold: float = 0.1,
                 encoder: str = 'teacher') -> None:
        if encoder not in ENCODERS:
            raise ValueError(f'encoder must be one of {ENCODERS}, got '
                             f'{encoder!r}.')
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
        self.encoder = encoder
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

    def is_update_epoch(self,
                        finished_epochs: int,
                        max_epochs: Optional[int] = None) -> bool:
        """Whether boxes are computed after ``finished_epochs`` epochs (none
        after the last of ``max_epochs``)."""
        if max_epochs is not None and finished_epochs >= max_epochs:
            return False
        done = finished_epochs - self.warmup_epochs
        return done >= 0 and done % self.interval == 0

    def after_train_epoch(self, runner) -> None:
        finished = runner.epoch + 1
        if self.is_update_epoch(finished, runner.max_epochs):
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

    def _backbone(self, runner, model) -> nn.Module:
        if self.encoder == 'teacher':
            backbone = teacher_backbone(model)
            if backbone is not None:
                return backbone
            runner.logger.info('ContrastiveCrop: the model has no EMA '
                               'teacher; boxes from the online backbone.')
        return model.backbone

    def compute_boxes(self, runner) -> torch.Tensor:
        """``(len, 4)`` boxes from the chosen backbone, same on all ranks;
        row ``k`` is the box of sample ``k``."""
        loader = self._loader(runner)
        target = self._dataset(runner)
        if len(loader.dataset) != len(target):
            raise ValueError(
                f'ContrastiveCropHook dataloader has {len(loader.dataset)} '
                f'samples, the training dataset {len(target)}: both must list '
                'the same images in the same order.')
        model = unwrap_model(runner.model)
        backbone = self._backbone(runner, model)
        heatmap_fn = _HEATMAPS[self.arch]

        def boxes(model, inputs, samples):
            maps = heatmap_fn(backbone, inputs)
            found = saliency_boxes.heatmap_boxes(maps.cpu(), inputs.shape[-2:],
                                                 self.threshold)
            # plain floats: small to pickle for the gather
            return zip(_sample_indices(samples, target), found.tolist())

        # 'gpu': all_gather_object over the default group (no shared folder)
        found = run_over_loader(model, loader, boxes, collect_device='gpu')
        out = torch.full((len(target), 4), float('nan'))
        if found:
            idx, rows = zip(*found)
            out[list(idx)] = torch.tensor(rows, dtype=out.dtype)
        missing = torch.isnan(out).any(1).nonzero().flatten()
        if len(missing):
            raise ValueError(
                f'ContrastiveCropHook dataloader left {len(missing)} samples '
                f'without a box (e.g. {missing[:5].tolist()}); its sampler '
                'must cover the whole dataset (drop_last=False).')
        return out

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        dataset = self._dataset(runner)
        checkpoint[CKPT_KEY] = dict(
            boxes=dataset.boxes.clone(),
            has_boxes=dataset.has_boxes,
            last_update_epoch=int(self.last_update_epoch))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(CKPT_KEY)
        if state is None:
            return
        self.last_update_epoch = int(state.get('last_update_epoch', -1))
        # put into the dataset by before_train (it runs after the resume);
        # none before the first update (the warm-up crops stay plain)
        if state.get('has_boxes', self.last_update_epoch >= 0):
            self._pending = state['boxes'].float()


def _sample_indices(samples, target: ContrastiveCropDataset) -> list:
    """``sample_idx`` of each data sample, checked against the training
    dataset's ``img_path`` where both have one."""
    indices = []
    for sample in samples:
        idx = sample.get('sample_idx', None) if hasattr(sample, 'get') \
            else None
        if idx is None:
            raise ValueError(
                'ContrastiveCropHook needs the sample_idx of every image of '
                "its dataloader: end the pipeline with dict(type='PackInputs')"
                ' (its default meta keys carry sample_idx).')
        path = sample.get('img_path', None)
        if path is not None:
            want = target.get_data_info(int(idx)).get('img_path', path)
            if want != path:
                raise ValueError(
                    f'ContrastiveCropHook dataloader sample {idx} is {path}, '
                    f'the training sample {idx} is {want}: both datasets '
                    'must list the same images in the same order.')
        indices.append(int(idx))
    return indices


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """Normalised area of ``(N, 4)`` ``(h0, w0, h1, w1)`` boxes."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
