# Runtime shared by every mmssl_addons config: mmpretrain's defaults, our
# registrations, and checkpoints that load with torch.load(weights_only=True)
# and survive a kill during the save.
_base_ = 'mmpretrain::_base_/default_runtime.py'

# mmssl_addons.compat_numpy2: numpy-2 fix of mmcv 2.1's adjust_hue, needed by
# ColorJitter(hue > 0) (all our pretraining pipelines); logged when applied
custom_imports = dict(
    imports=['mmssl_addons', 'mmssl_addons.compat_numpy2'],
    allow_failed_imports=False)
custom_hooks = [dict(type='SafeCheckpointHook')]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=10, max_keep_ckpts=3))
log_processor = dict(window_size=10)
