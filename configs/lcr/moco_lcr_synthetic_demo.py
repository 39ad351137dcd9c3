# CPU demo: MoCo v2 + LCR on the embedded synthetic dataset (`make demo`):
# the paper configs' LCR head (configs/_base_/models/lcr_gfb_r50.py) on the
# demo's ResNet-18 (256-d layer4, batch 32).
_base_ = ['./mocov2_synthetic_demo.py', '../_base_/models/lcr_gfb_r50.py']

model = dict(gfb_head=dict(_base_.lcr_model.gfb_head, in_channels=256))
