# MoCo v2 + LCR on Aircraft (Table 2 "Ours").
_base_ = ['./mocov2_aircraft.py', '../_base_/models/lcr_gfb_r50.py']

model = {{_base_.lcr_model}}
