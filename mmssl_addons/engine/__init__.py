"""Training hooks, registered into mmpretrain's ``HOOKS``."""
from .hooks import KNNMonitorHook, SafeCheckpointHook

__all__ = ['KNNMonitorHook', 'SafeCheckpointHook']
