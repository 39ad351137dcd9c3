# Linear probe of a MoCo v2 + LCR checkpoint with LCR's test-time attention
# pooling (Eq. 8) from its frozen GradCAM-fitting branch (Table 2 "Ours").
#   python tools/train.py configs/lcr/linear_probe/r50_lcr_linear_cub.py \
#     --cfg-options model.backbone.init_cfg.checkpoint=CKPT \
#                   model.neck.init_cfg.checkpoint=CKPT
_base_ = './r50_linear_cub.py'

pretrained = 'work_dirs/moco_lcr_cub/epoch_100.pth'
model = dict(
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
    neck=dict(
        _delete_=True,
        type='GFBAttentionPoolNeck',
        in_channels=2048,
        num_projections=32,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='gfb_head.')))
