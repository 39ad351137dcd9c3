"""Training hooks, registered into mmpretrain's ``HOOKS``.

They need mmpretrain; without it nothing is exported (the pure functions of
:mod:`mmssl_addons.evaluation.functional` stay usable).
"""
from importlib.util import find_spec

__all__ = []

if find_spec('mmpretrain') is not None:
    from .hooks import KNNMonitorHook, SafeCheckpointHook  # noqa: F401
    __all__ += ['KNNMonitorHook', 'SafeCheckpointHook']
