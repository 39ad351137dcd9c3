# End-to-end fine-tuning of a BAM ViT-B/16 on ImageNet-1k (paper Sec. 4.3:
# DeiT's default recipe, 150 epochs; mmpretrain's MoCo v3 fine-tune config:
# AdamW 5e-4 at batch 512, drop path 0.1, mixup 0.8, cutmix 1.0, random
# erasing 0.25, label smoothing 0.1), from the EMA teacher.
_base_ = 'mmpretrain::mocov3/benchmarks/vit-base-p16_8xb64-coslr-150e_in1k.py'

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='',
            prefix='momentum_encoder.module.0.')))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(type='EMAHook', momentum=4e-5, priority='ABOVE_NORMAL')
]
auto_scale_lr = dict(base_batch_size=512)

# mmssl_addons runtime: registrations, checkpoints that load with
# weights_only and survive a kill during the save
custom_imports = dict(imports=['mmssl_addons'], allow_failed_imports=False)
default_hooks = dict(checkpoint=dict(type='AtomicCheckpointHook'))
