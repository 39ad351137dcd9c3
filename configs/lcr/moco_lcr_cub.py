# MoCo v2 + LCR on CUB-200-2011 (Shu et al., CVPR 2023, Table 2 "Ours"):
# GradCAM-fitting branch with K=32 projections, tau=0.4, nu=0.01 (sum
# reduction), attention pooling at test time.
_base_ = './mocov2_cub.py'

model = dict(
    gfb_head=dict(
        type='GradCAMFittingHead',
        in_channels=2048,
        num_projections=32,
        with_bn_relu=False,  # True: the authors' released BN+ReLU variant
        loss=dict(
            type='LCRKLLoss', tau=0.4, loss_weight=0.01, reduction='sum')),
    test_pooling='attention',
    train_pooling='avg')
