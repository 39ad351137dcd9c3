# MoCo v2 + LCR on CUB-200-2011 with the branch of the authors' released
# code (GANPerf/LCR moco/builder.py): conv16 (no bias) -> bn16 -> ReLU ->
# max over the K=32 maps. Load a released checkpoint after
#   python tools/model_converters/import_released.py lcr IN.pth.tar OUT.pth
# e.g. tools/test.py configs/lcr/moco_lcr_released_cub.py OUT.pth
# (their moco-dim 256 and moco-k 65536 match the base config).
_base_ = './moco_lcr_cub.py'

model = dict(gfb_head=dict(with_bn_relu=True, projection_bias=False))
