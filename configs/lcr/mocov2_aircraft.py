# MoCo v2 baseline with LCR's settings on Aircraft (Table 2).
_base_ = './mocov2_cub.py'

data_root = 'data/fgvc-aircraft-2013b'
train_dataloader = dict(
    dataset=dict(type='FineGrainedAircraft', data_root=data_root, split='trainval'))
test_dataloader = dict(
    dataset=dict(type='FineGrainedAircraft', data_root=data_root, split='test'))

knn_loader = dict(
    batch_size=64,
    num_workers=4,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FineGrainedAircraft',
        data_root=data_root,
        pipeline={{_base_.test_pipeline}}))
custom_hooks = [
    dict(type='SafeCheckpointHook'),
    dict(
        type='KNNMonitorHook',
        train_dataloader=dict(
            knn_loader, dataset=dict(knn_loader['dataset'], split='trainval')),
        val_dataloader=dict(
            knn_loader, dataset=dict(knn_loader['dataset'], split='test')),
        k=200,
        temperature=0.07,
        interval=10,
        feature_fn='extract_pooled_feat')
]
