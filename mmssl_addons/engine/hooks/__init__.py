from .atomic_checkpoint_hook import AtomicCheckpointHook
from .bam_target_temperature_hook import BAMTargetTemperatureHook
from .contrastive_crop_hook import ContrastiveCropHook
from .knn_monitor_hook import KNNMonitorHook
from .precompute_saliency_hook import PrecomputeSaliencyHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .sca_clustering_hook import (SCAClusteringHook, gather_memory_bank,
                                  kmeans_pseudo_labels)

__all__ = [
    'AtomicCheckpointHook', 'BAMTargetTemperatureHook', 'ContrastiveCropHook',
    'gather_memory_bank', 'kmeans_pseudo_labels', 'KNNMonitorHook',
    'PrecomputeSaliencyHook', 'SafeCheckpointHook', 'SCAClusteringHook'
]
