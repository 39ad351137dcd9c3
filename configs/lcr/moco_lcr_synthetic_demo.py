# CPU demo: MoCo v2 + LCR on the embedded synthetic dataset (`make demo`).
# The LCR settings of the paper configs (configs/_base_/models/
# lcr_gfb_r50.py; a test checks they agree) on the demo's ResNet-18
# (256-d layer4, batch 32).
_base_ = './mocov2_synthetic_demo.py'

model = dict(
    gfb_head=dict(
        type='GradCAMFittingHead',
        in_channels=256,
        num_projections=32,
        with_bn_relu=False,
        fit_normalization='none',
        loss=dict(
            type='LCRKLLoss',
            tau=0.4,
            loss_weight=0.01,
            reduction='sum',
            reference_batch_size=32),
        test_pooling='attention',
        train_pooling='avg',
        gradcam_objective='loss',
        gradcam_scale='max'))
