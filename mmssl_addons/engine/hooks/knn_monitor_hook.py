from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar
from mmpretrain.registry import HOOKS
from torch.utils.data import DataLoader

from mmssl_addons.evaluation.functional import knn_accuracy
from mmssl_addons.evaluation.inference import run_over_loader
from mmssl_addons.evaluation.pooling import pool_features
from .model_wrapper import unwrap_model


def _label(data_sample) -> int:
    label = data_sample.get('gt_label', None)
    if label is None or label.numel() != 1:
        raise ValueError(
            'KNNMonitorHook needs one gt_label per sample; use a labelled '
            f'single-label dataset for its dataloaders, got {label!r}.')
    return int(label.item())


@HOOKS.register_module()
class KNNMonitorHook(Hook):
    """Monitor representation quality with a weighted kNN classifier.

    Every ``interval`` training epochs (iterations if ``by_epoch=False``)
    the features of ``train_dataloader`` and ``val_dataloader`` are
    extracted with the model in eval mode under ``torch.no_grad``, and the
    accuracy of :func:`~mmssl_addons.evaluation.functional.knn_classify`
    (InstDisc / MoCo protocol: cosine top-``k`` neighbours weighted by
    ``exp(sim / T)``) is logged as ``{prefix}/top1`` to the message hub,
    the logger and the visualizer. The model's train mode is restored.

    Features come from ``model.<feature_fn>(inputs)`` over the first view
    of ``model.data_preprocessor(data, False)['inputs']``
    (:func:`~mmssl_addons.evaluation.inference.run_over_loader`); see
    :func:`~mmssl_addons.evaluation.pooling.pool_features` for how the
    output is reduced to ``(N, C)``. In distributed runs each rank extracts
    its shard and the features are gathered in dataset order on rank 0 with
    :func:`mmengine.dist.collect_results` (use ``DefaultSampler``); the kNN
    runs on rank 0 and its result is broadcast.

    Args:
        train_dataloader (dict | DataLoader): kNN memory bank loader, built
            with ``runner.build_dataloader``, e.g. ``dict(batch_size=64,
            num_workers=4, dataset=..., sampler=dict(type='DefaultSampler',
            shuffle=False))``. Use a test-time (non-augmented) pipeline
            and the collate_fn the model's data preprocessor expects
            (``default_collate`` for ``SelfSupDataPreprocessor``).
        val_dataloader (dict | DataLoader): Loader of the queries.
        num_classes (int, optional): Number of classes; inferred as the
            largest label + 1 when None. Defaults to None.
        interval (int): Evaluate every ``interval`` epochs / iterations.
            Defaults to 1.
        by_epoch (bool): Count ``interval`` in epochs. Defaults to True.
        k (int): Number of neighbours. Defaults to 200.
        temperature (float): ``T`` of the weights. Defaults to 0.07.
        topk (Sequence[int]): Accuracies to log. Defaults to ``(1, )``.
        feature_fn (str, optional): Model method returning the features,
            e.g. ``'extract_pooled_feat'``. Defaults to ``'extract_feat'``.
        use_gpu (bool, optional): faiss GPU search; None means auto.
        collect_device (str): ``'cpu'`` or ``'gpu'`` for gathering.
            Defaults to ``'cpu'``.
        progress (bool): Show a progress bar on rank 0. Defaults to False.
        prefix (str): Prefix of the logged keys. Defaults to ``'knn'``.
    """
    priority = 'NORMAL'

    def __init__(self,
                 train_dataloader: Union[dict, DataLoader],
                 val_dataloader: Union[dict, DataLoader],
                 num_classes: Optional[int] = None,
                 interval: int = 1,
                 by_epoch: bool = True,
                 k: int = 200,
                 temperature: float = 0.07,
                 topk: Sequence[int] = (1, ),
                 feature_fn: Optional[str] = None,
                 use_gpu: Optional[bool] = None,
                 collect_device: str = 'cpu',
                 progress: bool = False,
                 prefix: str = 'knn') -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval must be a positive int, got '
                             f'{interval!r}.')
        self.dataloaders = dict(train=train_dataloader, val=val_dataloader)
        self.num_classes = num_classes
        self.interval = interval
        self.by_epoch = by_epoch
        self.k = k
        self.temperature = temperature
        self.topk = (topk, ) if isinstance(topk, int) else tuple(topk)
        self.feature_fn = feature_fn or 'extract_feat'
        self.use_gpu = use_gpu
        self.collect_device = collect_device
        self.progress = progress
        self.prefix = prefix

    def before_train(self, runner) -> None:
        # Built now, so a mistake in a loader's config stops the run before
        # training instead of after the first interval.
        for split in self.dataloaders:
            self._get_loader(runner, split)

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and self.every_n_epochs(runner, self.interval):
            self.evaluate(runner)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if not self.by_epoch and self.every_n_train_iters(
                runner, self.interval):
            self.evaluate(runner)

    def evaluate(self, runner) -> Dict[str, float]:
        """Extract features, run the kNN classifier and log the accuracy."""
        train = self._extract(runner, 'train')
        val = self._extract(runner, 'val')
        metrics = [None]
        if is_main_process():
            num_classes = self.num_classes or 1 + int(
                max(train[1].max(), val[1].max()))
            acc = knn_accuracy(
                *train,
                *val,
                num_classes,
                k=self.k,
                T=self.temperature,
                topk=self.topk,
                use_gpu=self.use_gpu)
            metrics = [{f'{self.prefix}/{n}': v for n, v in acc.items()}]
        broadcast_object_list(metrics)
        metrics = metrics[0]

        step = runner.epoch + 1 if self.by_epoch else runner.iter + 1
        for name, value in metrics.items():
            runner.message_hub.update_scalar(name, value)
        runner.visualizer.add_scalars(metrics, step=step)
        unit = 'epoch' if self.by_epoch else 'iter'
        values = ', '.join(f'{n}: {v:.2f}' for n, v in metrics.items())
        runner.logger.info(f'kNN (k={self.k}, T={self.temperature}) at '
                           f'{unit} {step}: {values}')
        return metrics

    def _get_loader(self, runner, split: str) -> DataLoader:
        loader = self.dataloaders[split]
        if not isinstance(loader, DataLoader):
            loader = runner.build_dataloader(loader)
            self.dataloaders[split] = loader  # build once, reuse
        return loader

    def _extract(self, runner,
                 split: str) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
        """Return ``(N, C)`` features and ``(N,)`` labels on rank 0."""
        loader = self._get_loader(runner, split)
        model = unwrap_model(runner.model)
        if not hasattr(model, self.feature_fn):
            raise AttributeError(
                f'{type(model).__name__} has no method "{self.feature_fn}"; '
                'set `feature_fn` of KNNMonitorHook to its feature method.')
        feature_fn = getattr(model, self.feature_fn)

        def features(model, inputs, data_samples):
            feats = pool_features(feature_fn(inputs)).float().cpu()
            return zip(feats, [_label(ds) for ds in data_samples])

        bar = _progress if self.progress and is_main_process() else None
        results = run_over_loader(
            model,
            loader,
            features,
            gather='rank0',
            collect_device=self.collect_device,
            progress=bar)
        if results is None:  # not rank 0
            return None
        feats, labels = zip(*results)
        return torch.stack(feats), torch.tensor(labels)


def _progress(loader):
    """The batches of ``loader`` under a progress bar."""
    bar = ProgressBar(len(loader))
    for data in loader:
        yield data
        bar.update()
    bar.file.write('\n')
