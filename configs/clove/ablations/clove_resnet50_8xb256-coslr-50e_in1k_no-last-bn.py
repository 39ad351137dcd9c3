# Ablation: projector without the released final non-affine BN (the
# paper's text names none); everything else as the 50-epoch setting.
_base_ = './clove_resnet50_8xb256-coslr-50e_in1k.py'

model = dict(neck=dict(with_last_bn=False))
