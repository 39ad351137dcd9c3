# MoCo v2 + LCR on CUB-200-2011 (Shu et al., CVPR 2023, Table 2 "Ours"):
# the MoCo v2 baseline plus the GradCAM-fitting branch, attention pooling at
# test time. 128 images on 4 GPUs (32 per GPU):
#   tools/dist_train.sh configs/lcr/moco_lcr_cub.py 4
_base_ = ['./mocov2_cub.py', '../_base_/models/lcr_gfb_r50.py']

model = {{_base_.lcr_model}}
