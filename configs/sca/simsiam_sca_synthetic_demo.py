# CPU demo: SimSiam + the SCA add-on on the synthetic dataset: the small
# ResNet-18 of the SwAV demo, two 96 px MoCo v2 views, P=2 positives, 20
# clusters of the 512-d projection at each epoch start. The views are the
# paper's (simsiam_pipeline of ../_base_/datasets/imagenet_swav_sca.py) at
# 96 px instead of 224.
_base_ = './swav_sca_synthetic_demo.py'
from mmengine.config import Config  # noqa

from mmssl_addons.utils.config_scaling import rescale_sizes  # noqa

model = dict(
    _delete_=True,
    type='SimSiamSCA',
    num_positives={{_base_.num_positives}},
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=32,
        base_channels=32,
        strides=(1, 2, 2, 1),
        out_indices=(3, ),
        norm_cfg=dict(type='BN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=256,
        hid_channels=512,
        out_channels=512,
        num_layers=3,
        with_last_bn_affine=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        loss=dict(type='CosineSimilarityLoss'),
        predictor=dict(
            type='NonLinearNeck',
            in_channels=512,
            hid_channels=128,
            out_channels=512,
            with_avg_pool=False,
            with_last_bn=False,
            with_last_bias=True)),
    sca_head=dict(
        type='SCAAttentionHead',
        in_channels=256,
        num_clusters={{_base_.num_clusters}},
        in_index=-1,
        mask_loss=dict(type='SCAMaskLoss', loss_weight=0.05),
        cls_loss=dict(type='SCAClusterLoss', tau=0.05, loss_weight=0.1)))

_paper = Config.fromfile(
    '{{fileDirname}}/../_base_/datasets/imagenet_swav_sca.py')
_pipeline = rescale_sizes(_paper.simsiam_pipeline, {224: 96})
_pipeline[0].type = 'CheckedLoadImageFromFile'  # as in the other demos
view = _pipeline[1].transforms[0]
train_dataloader = dict(
    dataset=dict(
        pipeline=_pipeline,
        # demo: the positive is a MultiView of 1 (a list of one tensor, which
        # the wrapper accepts) of the same view, not the paper's plain view
        positive_pipeline=[
            _pipeline[0],
            dict(_pipeline[1], num_views=1), _pipeline[2]
        ]))
del Config, _paper, _pipeline

lr = 0.05
optim_wrapper = dict(
    optimizer=dict(lr=lr),
    paramwise_cfg=dict(custom_keys={'predictor': dict(fix_lr=True)}))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(type='SimSiamHook', priority='HIGH', fix_pred_lr=True, lr=lr),
    {{_base_.sca_clustering}}, {{_base_.knn_monitor}}
]
