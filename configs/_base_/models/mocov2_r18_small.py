# A small MoCo v2 for CPU demos: mocov2_r50.py with ResNet-18 at half width
# (256-d layer4) and layer4 at stride 16 (strides 1,2,2,1), so a 96 px image
# gives a 6x6 map for GradCAM; a short queue, 128-d embeddings and a faster
# key encoder (momentum 0.99) for 30-epoch runs.
_base_ = './mocov2_r50.py'

model = dict(
    queue_len=4096,
    feat_dim=128,
    momentum=0.01,
    backbone=dict(
        depth=18, stem_channels=32, base_channels=32, strides=(1, 2, 2, 1)),
    neck=dict(in_channels=256, hid_channels=512, out_channels=128))
