# BAM, CAFormer-M36 as the authors' code builds it (utils.get_arch): GELU in
# the MLPs and separable convolutions, no residual scaling. The paper names
# CAFormer-M36 (StarReLU, res-scale in stages 3-4: the default config); use
# this one to fine-tune or evaluate the released CAFormer checkpoint
# (tools/model_converters/import_released.py bam IN OUT).
_base_ = './bam_caformer-m36_16xb256-coslr-300e_in1k.py'

model = dict(
    backbone=dict(
        type='TIMMActivationBackbone',
        act_layers=dict(mlp_act='gelu', act1_layer='gelu'),
        res_scale_init_values=[None, None, None, None]))
