from .knn_monitor_hook import KNNMonitorHook
from .safe_checkpoint_hook import SafeCheckpointHook

__all__ = ['KNNMonitorHook', 'SafeCheckpointHook']
