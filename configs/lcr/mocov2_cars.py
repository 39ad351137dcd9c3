# MoCo v2 baseline with LCR's settings on Cars (Table 2).
_base_ = './mocov2_cub.py'

data_root = 'data/Stanford_Cars'
train_dataloader = dict(
    dataset=dict(type='FineGrainedCars', data_root=data_root, split='train'))
test_dataloader = dict(
    dataset=dict(type='FineGrainedCars', data_root=data_root, split='test'))

knn_loader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FineGrainedCars',
        data_root=data_root,
        pipeline={{_base_.test_pipeline}}))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(
        type='KNNMonitorHook',
        train_dataloader=dict(
            knn_loader, dataset=dict(knn_loader['dataset'], split='train')),
        val_dataloader=dict(
            knn_loader, dataset=dict(knn_loader['dataset'], split='test')),
        k=200,
        temperature=0.07,
        interval=10,
        feature_fn='extract_pooled_feat')
]
