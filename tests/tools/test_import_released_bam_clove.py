"""import_released.py bam / clove: the released layouts (BAM's
StudentTeacherWrapper ``ckpt['model']`` and DINO's top-level
``{'student', 'teacher'}`` with ViTs in timm naming; CLoVE / PixPro's
``{'model': {'module.encoder.*', 'module.encoder_k.*', ...}}``) become
backbones that load strictly into our mmpretrain models."""
import argparse
import re

import pytest
import torch
from mmpretrain.models import ResNet, VisionTransformer

from mmssl_addons.utils import extract_backbone_state, load_state_dict
from mmssl_addons.utils.released_import import import_released
from mmssl_addons.utils.timm_naming import vit_to_timm

VIT = dict(
    arch=dict(
        embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
    img_size=32,
    patch_size=16)


def _random_state(module, seed):
    torch.manual_seed(seed)
    state = module.state_dict()
    for t in state.values():
        if t.is_floating_point():
            t.copy_(torch.randn_like(t))
    return {k: v.clone() for k, v in state.items()}


def _timm_vit(seed):
    """A ViT state dict in timm / DINO names (the naming BAM's vit.py uses)
    made from an mmpretrain ViT: ``(timm names, mmpretrain names)``."""
    ours = _random_state(VisionTransformer(**VIT), seed)
    timm_names, _ = vit_to_timm(ours)
    return timm_names, ours


@pytest.mark.parametrize('layout', ['bam_wrapper', 'dino_top_level'])
def test_bam_teacher_by_default_student_on_request(tmp_path, layout):
    student, student_ours = _timm_vit(0)
    teacher, teacher_ours = _timm_vit(1)
    head = {'head.mlp.0.weight': torch.zeros(4, 32)}
    if layout == 'bam_wrapper':  # DDP student, compiled teacher
        model = {f'student.module.backbone.{k}': v for k, v in student.items()}
        model.update({
            f'teacher._orig_mod.backbone.{k}': v
            for k, v in teacher.items()
        })
        model.update({f'student.module.{k}': v for k, v in head.items()})
        ckpt = dict(model=model, epoch=3)
    else:
        ckpt = dict(
            student={
                f'module.backbone.{k}': v
                for k, v in student.items()
            },
            teacher={
                f'backbone.{k}': v
                for k, v in teacher.items()
            },
            epoch=3)
    ckpt['args'] = argparse.Namespace(arch='vit_small', patch_size=16)
    path = str(tmp_path / 'checkpoint.pth')
    torch.save(ckpt, path)

    for encoder, expected in ((None, teacher_ours), ('online', student_ours)):
        out = import_released(path, 'bam', encoder)
        assert out['meta']['backbone'] == 'vit'
        vit = VisionTransformer(**VIT)
        state = {k[len('backbone.'):]: v for k, v in out['state_dict'].items()}
        vit.load_state_dict(state, strict=True)
        for key, value in expected.items():
            torch.testing.assert_close(vit.state_dict()[key], value)

    # the generic loader reads DINO's top level and the Namespace too
    if layout == 'dino_top_level':
        state = load_state_dict(path)
        got = extract_backbone_state(state, 'teacher')
        torch.testing.assert_close(got['pos_embed'], teacher['pos_embed'])


def _resnet18_state(seed):
    return _random_state(ResNet(depth=18), seed)


def test_clove_pixpro_layout(tmp_path):
    online, teacher = _resnet18_state(0), _resnet18_state(1)
    model = {f'module.encoder.{k}': v for k, v in online.items()}
    model.update({f'module.encoder_k.{k}': v for k, v in teacher.items()})
    model['module.projector.linear1.weight'] = torch.zeros(8, 512)
    model['module.projector_k.linear1.weight'] = torch.zeros(8, 512)
    model['module.predictor.linear1.weight'] = torch.zeros(8, 8)
    path = str(tmp_path / 'clove.pth')
    torch.save(dict(model=model, epoch=400), path)
    out = import_released(path, 'clove')
    assert out['meta']['encoder'] == 'teacher'
    net = ResNet(depth=18)
    net.load_state_dict(
        {
            k[len('backbone.'):]: v
            for k, v in out['state_dict'].items()
        },
        strict=True)
    torch.testing.assert_close(net.conv1.weight, teacher['conv1.weight'])
    assert 'projector.linear1.weight' in out['meta']['dropped']
    online_out = import_released(path, 'clove', 'online')
    torch.testing.assert_close(
        online_out['state_dict']['backbone.conv1.weight'],
        online['conv1.weight'])
    # a CLoVE file is not a BAM one: the message names the nearest layout
    with pytest.raises(ValueError, match="nearest known layout is 'clove'"):
        import_released(path, 'bam')


def _original_metaformer_names(timm_state):
    """timm caformer names -> the MetaFormer baselines' (BAM's
    models/metaformer.py), the inverse of timm's checkpoint_filter_fn."""
    import re
    out = {}
    for k, v in timm_state.items():
        k = re.sub(r'^stem\.', 'downsample_layers.0.', k)
        k = re.sub(r'^stages\.(\d+)\.downsample\.norm\.',
                   r'downsample_layers.\1.pre_norm.', k)
        k = re.sub(r'^stages\.(\d+)\.downsample\.', r'downsample_layers.\1.',
                   k)
        k = re.sub(r'^stages\.(\d+)\.blocks\.(\d+)\.', r'stages.\1.\2.', k)
        k = re.sub(r'^downsample_layers\.0\.norm\.',
                   'downsample_layers.0.post_norm.', k)
        k = re.sub(r'^head\.norm\.', 'norm.', k)
        out[k] = v
    return out


def test_bam_caformer_with_gelu_reports_the_starrelu_parameters(tmp_path):
    timm = pytest.importorskip('timm')
    import torch.nn as nn
    from mmpretrain.models import TIMMBackbone

    from mmssl_addons.models import TIMMActivationBackbone

    # BAM's CAFormer (utils.get_arch): GELU, no residual scaling, so no
    # activation or res-scale parameters
    gelu = {
        k: torch.randn_like(v) if v.is_floating_point() else v
        for k, v in timm.create_model(
            'caformer_s18',
            pretrained=False,
            num_classes=0,
            mlp_act=nn.GELU,
            act1_layer=nn.GELU,
            res_scale_init_values=(None, ) * 4).state_dict().items()
    }
    assert not any(re.search(r'act\d?\.|res_scale', k) for k in gelu)
    released = _original_metaformer_names(gelu)
    assert 'downsample_layers.0.conv.weight' in released
    path = str(tmp_path / 'caformer.pth')
    torch.save(
        dict(model={
            f'teacher.backbone.{k}': v
            for k, v in released.items()
        }), path)
    out = import_released(path, 'bam')
    assert out['meta']['backbone'] == 'caformer'
    missing = out['meta']['missing']
    assert missing and all(
        re.search(r'(act\d?|res_scale\d)\.(scale|bias)$', k) for k in missing)
    state = {k[len('backbone.'):]: v for k, v in out['state_dict'].items()}
    ours = TIMMBackbone(
        model_name='caformer_s18', pretrained=False, num_classes=0)
    result = ours.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    assert sorted(result.missing_keys) == sorted(missing)
    # the released architecture loads them strictly and computes with GELU
    as_released = TIMMActivationBackbone(
        model_name='caformer_s18',
        pretrained=False,
        num_classes=0,
        act_layers=dict(mlp_act='gelu', act1_layer='gelu'),
        res_scale_init_values=[None] * 4)
    as_released.load_state_dict(state, strict=True)
    acts = {
        type(m).__name__
        for n, m in as_released.named_modules()
        if n.endswith(('.act', '.act1'))
    }
    assert acts == {'GELU'}
    for k, v in gelu.items():
        torch.testing.assert_close(as_released.state_dict()['timm_model.' + k],
                                   v)
    with pytest.raises(ValueError, match='unknown activation'):
        TIMMActivationBackbone(
            model_name='caformer_s18',
            pretrained=False,
            act_layers=dict(mlp_act='gelu_typo'))
