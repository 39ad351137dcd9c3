# MoCo v2 baseline with LCR's settings on Aircraft (Table 2).
_base_ = './mocov2_cub.py'

data_root = 'data/fgvc-aircraft-2013b'
train_dataloader = dict(
    dataset=dict(type='FineGrainedAircraft', data_root=data_root, split='trainval'))
test_dataloader = dict(
    dataset=dict(type='FineGrainedAircraft', data_root=data_root, split='test'))
