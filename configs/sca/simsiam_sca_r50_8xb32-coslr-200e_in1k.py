# SimSiam + SCA, ResNet-50, ImageNet-1K, 200 epochs (SCA's second core
# engine): mmpretrain's SimSiam recipe (SGD lr 0.05, fixed predictor lr,
# two 224 views) plus the SCA add-on on layer4 with 3000 k-means clusters
# of the 2048-d SimSiam projection (memory bank: 2048 floats per image,
# 10.5 GB for ImageNet-1K; lower via a smaller `feature_fn` if needed),
# P=2 positives, w = (1, 0.05, 0.1), tau_c = 0.05.
_base_ = [
    '../_base_/datasets/imagenet_swav_sca.py',
    'mmpretrain::_base_/schedules/imagenet_sgd_coslr_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    type='SimSiamSCA',
    num_positives=2,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=(123.675, 116.28, 103.53),
        std=(58.395, 57.12, 57.375),
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=2048,
        num_layers=3,
        with_last_bn_affine=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        loss=dict(type='CosineSimilarityLoss'),
        predictor=dict(
            type='NonLinearNeck',
            in_channels=2048,
            hid_channels=512,
            out_channels=2048,
            with_avg_pool=False,
            with_last_bn=False,
            with_last_bias=True)),
    sca_head=dict(
        type='SCAAttentionHead',
        in_channels=2048,
        num_clusters=3000,
        in_index=-1,
        mask_loss=dict(type='SCAMaskLoss', loss_weight=0.05),
        cls_loss=dict(type='SCAClusterLoss', tau=0.05, loss_weight=0.1)))
train_dataloader = dict(
    dataset=dict(
        pipeline={{_base_.simsiam_pipeline}},
        positive_pipeline={{_base_.simsiam_positive_pipeline}}))

lr = 0.05
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=lr, weight_decay=1e-4, momentum=0.9),
    paramwise_cfg=dict(custom_keys={'predictor': dict(fix_lr=True)}))
find_unused_parameters = True
default_hooks = dict(
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=10, max_keep_ckpts=3))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(type='SimSiamHook', priority='HIGH', fix_pred_lr=True, lr=lr),
    {{_base_.sca_clustering}}, {{_base_.knn_monitor}}
]
