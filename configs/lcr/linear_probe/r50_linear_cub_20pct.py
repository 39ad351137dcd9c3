# r50_linear_cub with 20% of the labels of each class (LCR Table 2).
_base_ = './r50_linear_cub.py'
train_dataloader = dict(dataset=dict(label_fraction=0.20))
