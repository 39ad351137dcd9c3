# CPU demo: MoCo v2 + LCR on the embedded synthetic dataset (`make demo`).
#
# gradcam_scale='max': in this small model the raw GradCAM of the batch-mean
# loss is about 1e-3, so softmax(G / 0.4) is uniform (measured: max 0.0279
# vs 1/36 = 0.0278) and the branch would get no signal; dividing each map by
# its maximum restores one. The paper-setting configs keep the raw scale.
_base_ = './mocov2_synthetic_demo.py'

model = dict(
    gfb_head=dict(
        type='GradCAMFittingHead',
        in_channels=256,
        num_projections=32,
        loss=dict(
            type='LCRKLLoss', tau=0.4, loss_weight=0.01, reduction='sum')),
    test_pooling='attention',
    gradcam_scale='max')
