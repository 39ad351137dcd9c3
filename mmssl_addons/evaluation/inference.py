"""One eval-mode pass of a model over a dataloader.

:func:`run_over_loader` is the loop shared by the training hooks (kNN
monitor, SCA memory bank, ContrastiveCrop boxes), the feature cache of the
analysis tools and the label-propagation tool.
"""
from contextlib import contextmanager
from typing import Any, Callable, Iterable, List, Optional, Sequence

import torch
from mmengine.dist import (broadcast_object_list, collect_results,
                           get_world_size)

GATHER_MODES = ('all', 'rank0', None)


@contextmanager
def eval_mode(model):
    """Put ``model`` in eval mode; restore its train/eval mode on exit."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def select_view(inputs, view: Optional[int] = 0) -> torch.Tensor:
    """The ``(N, C, H, W)`` batch of one view.

    A ``MultiView`` pipeline gives ``inputs`` as a list of such batches, one
    per view: ``view`` picks one. With ``view=None`` the pipeline must give
    a single view (a one-item list is unpacked, more views raise). A tensor
    is returned as is.
    """
    if not isinstance(inputs, (list, tuple)):
        return inputs
    if view is None:
        if len(inputs) != 1:
            raise ValueError(f'expected one view per image, got '
                             f'{len(inputs)}; the test pipeline must not '
                             'use MultiView.')
        return inputs[0]
    return inputs[view]


def _sample_index(sample) -> Optional[int]:
    idx = sample.get('sample_idx', None) if hasattr(sample, 'get') else None
    return None if idx is None else int(idx)


def _own(item):
    """``item`` with its tensors copied out of the batch (pickling a row
    view would pickle the whole batch)."""
    if isinstance(item, torch.Tensor):
        return item.clone()
    if isinstance(item, (tuple, list)):
        return type(item)(_own(i) for i in item)
    return item


def _per_sample(outputs, num: int) -> list:
    outputs = list(outputs)  # a tensor gives its rows
    if len(outputs) != num or any(out is None for out in outputs):
        raise ValueError(f'fn must return one output (not None) per sample: '
                         f'{num} samples, got {len(outputs)} outputs.')
    return outputs


def dataset_order(records: Sequence[tuple], size: int) -> List[Any]:
    """Outputs of ``records`` ``[(sample_idx, output), ...]`` by index.

    When the ``sample_idx`` are exactly ``0 .. size - 1`` (each once, up to
    the repeats a distributed sampler pads with) the outputs are returned in
    that order, once each; otherwise (an index missing, e.g. no
    ``sample_idx`` in the data samples or ``drop_last``) as given.
    """
    indices = [idx for idx, _ in records]
    if None not in indices and set(indices) == set(range(size)):
        by_index = {}
        for idx, out in records:
            by_index.setdefault(idx, out)
        return [by_index[idx] for idx in range(size)]
    return [out for _, out in records]


def run_over_loader(model: torch.nn.Module,
                    loader: Iterable,
                    fn: Callable[[torch.nn.Module, torch.Tensor, Any],
                                 Iterable],
                    *,
                    view: Optional[int] = 0,
                    gather: Optional[str] = 'all',
                    collect_device: str = 'cpu',
                    progress: Optional[Callable] = None) -> Optional[list]:
    """Run ``fn`` over every batch of ``loader``; one output per sample.

    The model is put in eval mode (its train/eval mode is restored at the
    end) and runs under ``torch.no_grad``. Each batch goes through
    ``model.data_preprocessor(data, False)``; of a multi-view batch view
    ``view`` is kept (see :func:`select_view`). ``fn(model, inputs,
    data_samples)`` then gets ``inputs`` ``(N, C, H, W)`` and the ``N``
    data samples (None when the batch has none) and returns ``N``
    per-sample outputs: a tensor ``(N, ...)`` (split into rows) or a
    sequence of ``N`` picklable items, not None (CPU tensors when they are
    gathered).

    Args:
        model (nn.Module): the bare model (unwrap DDP first).
        loader (DataLoader): yields the batches; ``loader.dataset`` gives
            the number of samples when gathering.
        fn (callable): ``(model, inputs, data_samples) -> N outputs``.
        view (int, optional): the view of a multi-view batch; None requires
            one view. Defaults to 0 (the first view).
        gather (str, optional): ``'all'``: the outputs of every rank are
            collected with :func:`mmengine.dist.collect_results` on rank 0,
            put in dataset order (by ``sample_idx``, see
            :func:`dataset_order`; without it in the sampler's order, which
            is dataset order for ``DefaultSampler(shuffle=False)``) and
            broadcast to every rank; ``'rank0'``: the same on rank 0, None
            on the other ranks; None: this process's outputs in its
            loader's order. Defaults to ``'all'``.
        collect_device (str): ``'cpu'`` (through a shared temporary folder)
            or ``'gpu'`` (``all_gather_object`` over the default process
            group) for :func:`~mmengine.dist.collect_results`. Defaults to
            ``'cpu'``.
        progress (callable, optional): wraps the batch iterator, e.g.
            ``tqdm``.

    Returns:
        list | None: the per-sample outputs (None on ranks other than 0
        with ``gather='rank0'``).
    """
    if gather not in GATHER_MODES:
        raise ValueError(f'gather must be one of {GATHER_MODES}, got '
                         f'{gather!r}.')
    own = gather is not None and get_world_size() > 1
    batches = loader if progress is None else progress(loader)
    records = []
    with eval_mode(model), torch.no_grad():
        for data in batches:
            data = model.data_preprocessor(data, False)
            inputs = select_view(data['inputs'], view)
            samples = data.get('data_samples')
            outputs = _per_sample(fn(model, inputs, samples), len(inputs))
            indices = [None] * len(outputs) if samples is None else [
                _sample_index(sample) for sample in samples
            ]
            if own:
                outputs = [_own(out) for out in outputs]
            records.extend(zip(indices, outputs))
    if gather is None:
        return [out for _, out in records]
    size = len(loader.dataset)
    records = collect_results(records, size, collect_device)
    results = None if records is None else dataset_order(records, size)
    if gather == 'rank0':
        return results
    results = [results]
    broadcast_object_list(results)
    return results[0]
