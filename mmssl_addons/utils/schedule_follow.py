"""Make schedules follow a training length changed with ``--cfg-options``.

Configs write ``T_max=max_epochs, end=max_epochs`` with a Python variable
that mmengine substitutes when the file is read, so ``--cfg-options
train_cfg.max_epochs=3`` alone leaves a cosine schedule 30 epochs long
(the lr barely decays). :func:`follow_training_length` moves every value
that equalled the old length to the new one.
"""
from typing import List, Optional


def _schedulers(cfg) -> list:
    schedulers = cfg.get('param_scheduler', None)
    if schedulers is None:
        return []
    if isinstance(schedulers, dict):
        return [schedulers]
    return [s for s in schedulers if isinstance(s, dict)]


def _follow(sched: dict, old: int, new: int) -> List[str]:
    changed = []
    begin = sched.get('begin', 0) or 0
    if sched.get('end', None) == old:
        if new <= begin:  # the run ends before this scheduler starts
            return [f'kept (begins at {begin}, after the new end {new})']
        sched['end'] = new
        changed.append(f'end {old} -> {new}')
    if sched.get('T_max', None) == old - begin and new > begin:
        sched['T_max'] = new - begin
        changed.append(f'T_max {old - begin} -> {new - begin}')
    return changed


def follow_training_length(cfg, old_train_cfg: Optional[dict]) -> List[str]:
    """Update ``cfg`` (in place) after ``train_cfg`` changed; return notes.

    For ``max_epochs`` (epoch-based schedulers, ``by_epoch=True``, the
    default) and ``max_iters`` (``by_epoch=False``): a scheduler ``end``
    equal to the old length becomes the new length, and a ``T_max`` equal
    to ``old - begin`` becomes ``new - begin``. A checkpoint ``interval``
    equal to the old length (save at the end only) follows too. Values
    set to anything else, e.g. by the same ``--cfg-options``, are kept.

    Returns:
        list[str]: one line per change, for the log.
    """
    notes = []
    new_train_cfg = cfg.get('train_cfg', None) or {}
    old_train_cfg = old_train_cfg or {}
    for key, by_epoch in (('max_epochs', True), ('max_iters', False)):
        old, new = old_train_cfg.get(key), new_train_cfg.get(key)
        if not isinstance(old, int) or not isinstance(new, int) or old == new:
            continue
        for i, sched in enumerate(_schedulers(cfg)):
            if bool(sched.get('by_epoch', True)) != by_epoch:
                continue
            changed = _follow(sched, old, new)
            if changed:
                notes.append(f'train_cfg.{key} {old} -> {new}: '
                             f'param_scheduler[{i}] ({sched.get("type")}) '
                             f'{", ".join(changed)}')
        ckpt = (cfg.get('default_hooks', None) or {}).get('checkpoint')
        if isinstance(ckpt, dict) and ckpt.get('interval') == old and bool(
                ckpt.get('by_epoch', True)) == by_epoch:
            ckpt['interval'] = new
            notes.append(f'train_cfg.{key} {old} -> {new}: '
                         f'default_hooks.checkpoint.interval {old} -> {new}')
    return notes
