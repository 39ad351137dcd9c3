# MoCo v2 + LCR on Cars (Table 2 "Ours").
_base_ = ['./mocov2_cars.py']

model = dict(
    gfb_head=dict(
        type='GradCAMFittingHead',
        in_channels=2048,
        num_projections=32,
        loss=dict(
            type='LCRKLLoss', tau=0.4, loss_weight=0.01, reduction='sum')),
    test_pooling='attention')
