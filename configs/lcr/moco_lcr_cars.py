# MoCo v2 + LCR on Cars (Table 2 "Ours").
_base_ = ['./mocov2_cars.py', '../_base_/models/lcr_gfb_r50.py']

model = {{_base_.lcr_model}}
