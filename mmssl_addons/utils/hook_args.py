"""Check hook arguments of a config before the runner starts.

A misspelt argument of a hook with an explicit signature fails when the
Runner builds it, with a bare ``TypeError``; one of mmengine's
``CheckpointHook`` (which takes ``**kwargs`` and hands them to
``Runner.save_checkpoint``) fails only at the first save, after an epoch.
:func:`check_hook_args` names the hook, the argument and the closest
valid name up front.
"""
import difflib
import inspect


def _params(cls) -> tuple:
    """``(names, takes **kwargs)`` of ``cls.__init__``."""
    from mmengine.hooks import CheckpointHook
    init = CheckpointHook.__init__ if issubclass(
        cls, CheckpointHook) else cls.__init__
    params = inspect.signature(init).parameters.values()
    names = {
        p.name
        for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params)
    return names - {'self'}, var_kw


def _check(where: str, cls, hook: dict) -> None:
    from mmengine.hooks import CheckpointHook

    from ..engine.hooks.atomic_checkpoint_hook import (_save_checkpoint_args,
                                                       check_extra_args)
    names, var_kw = _params(cls)
    given = set(hook) - {'type', 'priority', '_scope_'}
    unknown = sorted(given - names)
    if issubclass(cls, CheckpointHook):
        unknown = [k for k in unknown if k not in _save_checkpoint_args()]
        names |= _save_checkpoint_args()
        try:
            check_extra_args({k: None for k in unknown}, cls.__name__)
        except TypeError as err:
            raise ValueError(f'{where}: {err}') from None
        return
    if var_kw or not unknown:
        return
    name = unknown[0]
    close = difflib.get_close_matches(name, sorted(names), n=1)
    hint = f' Did you mean {close[0]!r}?' if close else ''
    raise ValueError(f'{where} ({cls.__name__}) got an unknown argument '
                     f'{name!r}.{hint} Its arguments: '
                     f'{", ".join(sorted(names))}.')


def check_hook_args(cfg) -> None:
    """Raise ``ValueError`` for an unknown argument of any configured hook.

    Looks at ``default_hooks`` and ``custom_hooks`` entries given as dicts
    whose ``type`` the registry of ``cfg.default_scope`` knows; hooks taking
    ``**kwargs`` (other than ``CheckpointHook``) are not checked.
    """
    from mmengine.registry import HOOKS
    entries = []
    for name, hook in (cfg.get('default_hooks', None) or {}).items():
        entries.append((f'default_hooks.{name}', hook))
    for i, hook in enumerate(cfg.get('custom_hooks', None) or []):
        entries.append((f'custom_hooks.{i}', hook))
    scope = cfg.get('default_scope', None) or 'mmpretrain'
    with HOOKS.switch_scope_and_registry(scope) as registry:
        for where, hook in entries:
            if not isinstance(hook, dict) or 'type' not in hook:
                continue
            cls = hook['type']
            if isinstance(cls, str):
                cls = registry.get(cls)
            if inspect.isclass(cls):
                _check(where, cls, hook)
