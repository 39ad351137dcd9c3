"""Training hooks (mmpretrain's ``HOOKS``) and the CPU DDP model wrapper."""
from .cpu_distributed_data_parallel import CPUDistributedDataParallel
from .hooks import (KNNMonitorHook, PrecomputeSaliencyHook, SafeCheckpointHook,
                    SCAClusteringHook)
from .optimizers import LARC, NamedParamGroupsConstructor
from .schedulers import WarmupCosineLR

__all__ = [
    'CPUDistributedDataParallel', 'KNNMonitorHook', 'PrecomputeSaliencyHook',
    'SafeCheckpointHook', 'SCAClusteringHook', 'LARC',
    'NamedParamGroupsConstructor', 'WarmupCosineLR'
]
