# The CPU demos' schedule: sgd_coslr_100e.py cut to 30 epochs of cosine, lr
# 0.06 for batch 32 (a short run needs the larger step).
_base_ = './sgd_coslr_100e.py'

max_epochs = 30
train_cfg = dict(max_epochs=max_epochs)
# the paper's cosine schedule, over the demo's epochs
param_scheduler = [
    dict(s, T_max=max_epochs, end=max_epochs) for s in _base_.param_scheduler
]
optim_wrapper = dict(optimizer=dict(lr=0.06))
