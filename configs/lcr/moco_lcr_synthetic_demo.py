# CPU demo: MoCo v2 + LCR on the embedded synthetic dataset (`make demo`).
_base_ = './mocov2_synthetic_demo.py'

model = dict(
    gfb_head=dict(
        type='GradCAMFittingHead',
        in_channels=256,
        num_projections=32,
        loss=dict(
            type='LCRKLLoss', tau=0.4, loss_weight=0.01, reduction='sum')),
    test_pooling='attention')
