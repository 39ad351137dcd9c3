# Ablation "Ours-MultiTask" (LCR Table 1/4): GradCAM fitting as an auxiliary
# task only; global average pooling at test time.
_base_ = './moco_lcr_cub.py'
model = dict(gfb_head=dict(test_pooling='avg'))
