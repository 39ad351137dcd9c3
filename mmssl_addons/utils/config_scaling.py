"""Derive a small config from a paper config: other image sizes, another
data root, the same transforms.

mmengine's old-style configs see their merged base as ``_base_`` while they
run, so a demo config writes each pipeline once, in the paper config, and
takes it with new sizes::

    _base_ = './cub_mocov2.py'
    from mmssl_addons.utils.config_scaling import rescale_sizes, reroot

    train_pipeline = rescale_sizes(_base_.train_pipeline, {224: 96})
    knn_monitor = reroot(_base_.knn_monitor, 'data/CUB_200_2011',
                         'data/synthetic_cub')

(``_base_ = ...`` must come before the import: mmengine reads a file with
a package import first as a Python-style config.) Both functions return a
deep copy and leave their input as it was.
"""
import copy
from typing import Any, Dict

#: the size arguments of mmpretrain's / our crop and resize transforms
SIZE_KEYS = ('scale', 'crop_size', 'size')


def _dicts(node):
    """Every dict under ``node`` (lists, tuples and dicts walked)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _dicts(value)


def _is_size_transform(step: dict) -> bool:
    kind = step.get('type', '')
    name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
    return 'Crop' in name or 'Resize' in name


def rescale_sizes(node: Any, sizes: Dict[int, int], strict: bool = True):
    """A copy of ``node`` with the size arguments of every crop / resize
    transform mapped through ``sizes`` (old pixel size -> new).

    Sizes are mapped at once, not in a chain: ``{224: 96, 96: 48}`` turns
    224 into 96 and 96 into 48. An ``(h, w)`` size is mapped per side;
    sizes not in ``sizes`` stay. With ``strict`` an old size that no
    transform has is an error (a mistyped mapping would otherwise leave
    the paper's size in a demo).
    """
    bad = [
        k for k, v in sizes.items()
        if not (isinstance(k, int) and isinstance(v, int))
    ]
    if bad:
        raise TypeError(f'rescale_sizes: sizes must map int pixel sizes to '
                        f'int pixel sizes, got {bad!r}')
    out = copy.deepcopy(node)
    seen = set()

    def mapped(value):
        if isinstance(value, int) and not isinstance(value, bool):
            if value in sizes:
                seen.add(value)
                return sizes[value]
            return value
        if isinstance(value, (list, tuple)) and value and all(
                isinstance(v, int) and not isinstance(v, bool) for v in value):
            return type(value)(mapped(v) for v in value)
        return value

    for step in _dicts(out):
        if not _is_size_transform(step):
            continue
        for key in SIZE_KEYS:
            if key in step:
                step[key] = mapped(step[key])
    missing = sorted(set(sizes) - seen)
    if strict and missing:
        raise ValueError(
            f'rescale_sizes: no crop or resize transform has size '
            f'{missing} (sizes={sizes}); fix the mapping, or pass '
            f'strict=False when a size may be absent')
    return out


def reroot(node: Any, old: str, new: str):
    """A copy of ``node`` with every string that starts with ``old`` (a
    data root) starting with ``new`` instead."""
    if not old:
        raise ValueError('reroot: the old data root is empty')
    old_dir = old.rstrip('/')

    def swap(value):
        if isinstance(value, str):
            if value == old_dir or value.startswith(old_dir + '/'):
                return new.rstrip('/') + value[len(old_dir):]
            return value
        if isinstance(value, dict):
            for key in value:
                value[key] = swap(value[key])
            return value
        if isinstance(value, list):
            value[:] = [swap(v) for v in value]
            return value
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        return value

    return swap(copy.deepcopy(node))
