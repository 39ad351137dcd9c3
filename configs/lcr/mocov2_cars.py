# MoCo v2 baseline with LCR's settings on Cars (Table 2).
_base_ = './mocov2_cub.py'

data_root = 'data/Stanford_Cars'
train_dataloader = dict(
    dataset=dict(type='FineGrainedCars', data_root=data_root, split='train'))
test_dataloader = dict(
    dataset=dict(type='FineGrainedCars', data_root=data_root, split='test'))
