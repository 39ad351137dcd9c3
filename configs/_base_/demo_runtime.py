# default_runtime.py for the 30-epoch CPU demos: log every 10 iterations,
# keep the last checkpoint only, seed 0.
_base_ = './default_runtime.py'

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=30, max_keep_ckpts=1))
randomness = dict(seed=0)
