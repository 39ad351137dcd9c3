# Runtime shared by every mmssl_addons config: mmpretrain's defaults, our
# registrations, and checkpoints that load with torch.load(weights_only=True).
_base_ = 'mmpretrain::_base_/default_runtime.py'

custom_imports = dict(imports=['mmssl_addons'], allow_failed_imports=False)
custom_hooks = [dict(type='SafeCheckpointHook')]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
log_processor = dict(window_size=10)
