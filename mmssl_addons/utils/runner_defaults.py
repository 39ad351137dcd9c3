"""What our runs need, added to configs that do not declare it.

``configs/_base_/default_runtime.py`` declares all of it for our configs:
``custom_imports`` of ``mmssl_addons``, :class:`SafeCheckpointHook` (every
checkpoint loads with ``torch.load(weights_only=True)``) and
:class:`AtomicCheckpointHook` (a kill during a save keeps the last complete
checkpoint). A config without them (an mmdet / mmseg / mmpose transfer
config, a user's own) gets them here, each addition or change noted as one
``(logging level, message)`` line for the run's log.
"""
import logging
from typing import List, Tuple

from mmengine.config import Config

SAFE_HOOK = 'SafeCheckpointHook'
ATOMIC_HOOK = 'AtomicCheckpointHook'
#: Prefix of every log line of :func:`prepare_runner_config`.
PREFIX = 'prepare_runner_config: '

Notes = List[Tuple[int, str]]


def note(notes: Notes, key: str, value, why: str, old=None) -> None:
    """One log line: ``key`` set to ``value`` (was ``old``) because ``why``."""
    was = '' if old is None else f' (was {old!r})'
    notes.append((logging.INFO, f'{PREFIX}{key} = {value!r}{was}  # {why}'))


def scoped(cfg: Config, name: str) -> str:
    """``name`` as the config's default scope finds it in mmpretrain's
    registry: unscoped under mmpretrain, ``'mmpretrain.<name>'`` otherwise
    (mmdet, mmseg, mmpose configs)."""
    scope = cfg.get('default_scope', None) or 'mmpretrain'
    return name if scope == 'mmpretrain' else f'mmpretrain.{name}'


def ensure_custom_import(cfg: Config, notes: Notes) -> None:
    """``mmssl_addons`` in ``custom_imports``, failed imports an error."""
    old = cfg.get('custom_imports', None) or dict(imports=[])
    names = old.get('imports', [])
    names = [names] if isinstance(names, str) else list(names)
    if 'mmssl_addons' not in names:
        names.append('mmssl_addons')
    new = dict(imports=names, allow_failed_imports=False)
    if names != old.get('imports') or old.get('allow_failed_imports'):
        note(notes, 'custom_imports', new,
             'registers our modules; a failed import is an error')
    cfg.custom_imports = new


def ensure_safe_checkpoint_hook(cfg: Config, notes: Notes) -> None:
    """Add :class:`SafeCheckpointHook` unless the config has it; a config's
    own entry is renamed to the scoped name (see :func:`scoped`)."""
    name = scoped(cfg, SAFE_HOOK)
    hooks, found = [], False
    for i, hook in enumerate(list(cfg.get('custom_hooks', None) or [])):
        if hook.get('type') in (SAFE_HOOK, f'mmpretrain.{SAFE_HOOK}'):
            if hook['type'] != name:
                note(notes, f'custom_hooks[{i}].type', name,
                     f'found from the {cfg.get("default_scope")} scope',
                     hook['type'])
            hook = dict(hook, type=name)
            found = True
        hooks.append(hook)
    if not found:
        hooks.append(dict(type=name))
        note(notes, f'custom_hooks[{len(hooks) - 1}]', dict(type=name),
             'checkpoints that load with torch.load(weights_only=True)')
    cfg.custom_hooks = hooks


def ensure_atomic_checkpoint_hook(cfg: Config, notes: Notes) -> None:
    """Use :class:`AtomicCheckpointHook` for mmengine's ``CheckpointHook``.

    A missing ``checkpoint`` entry gets the Runner's default
    (``interval=1``); ``None`` (no checkpoints) and other hook types are
    left alone.
    """
    if cfg.get('default_hooks', None) is None:
        cfg.default_hooks = dict()
    hooks = cfg.default_hooks
    old = hooks.get('checkpoint', None)
    hook = dict(type='CheckpointHook', interval=1) if old is None else old
    if isinstance(hook, dict) and hook.get(
            'type',
            'CheckpointHook') in ('CheckpointHook', 'mmengine.CheckpointHook'):
        hooks['checkpoint'] = dict(hook, type=scoped(cfg, ATOMIC_HOOK))
        note(notes, 'default_hooks.checkpoint.type', scoped(cfg, ATOMIC_HOOK),
             'a kill during a save keeps the last complete checkpoint',
             hook.get('type', 'CheckpointHook') if old is not None else None)
