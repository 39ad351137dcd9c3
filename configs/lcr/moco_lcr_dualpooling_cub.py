# Ablation "Ours-DualPooling" (LCR Table 1/4): attention-weighted average
# pooling in training too (the paper reports that it collapses).
_base_ = './moco_lcr_cub.py'
model = dict(gfb_head=dict(train_pooling='attention'))
