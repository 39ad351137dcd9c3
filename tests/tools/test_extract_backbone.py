"""tools/model_converters/extract_backbone.py: online / teacher backbones
that load into mmdet, mmseg and mmpose ResNets with no missing keys."""
import importlib.util
import os.path as osp

import pytest
import torch

from mmssl_addons.utils import backbone_checkpoint, backbone_kind

SMALL = dict(depth=18, stem_channels=32, base_channels=32)


def _tool(repo_root):
    path = osp.join(repo_root, 'tools', 'model_converters',
                    'extract_backbone.py')
    spec = importlib.util.spec_from_file_location('extract_backbone', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resnet_state(seed, **kwargs):
    from mmpretrain.models import ResNet
    torch.manual_seed(seed)
    net = ResNet(**kwargs)
    for p in net.state_dict().values():  # also BN running stats
        if p.is_floating_point():
            p.copy_(torch.randn_like(p))
    return net.state_dict()


def _training_checkpoint(path,
                         teacher_key='momentum_encoder.module.0.',
                         **kwargs):
    """A MoCo-like checkpoint: online + EMA backbones, neck, queue."""
    kwargs = kwargs or SMALL
    online, teacher = _resnet_state(0, **kwargs), _resnet_state(1, **kwargs)
    state = {f'backbone.{k}': v for k, v in online.items()}
    state.update({f'{teacher_key}{k}': v for k, v in teacher.items()})
    state['neck.mlp.0.weight'] = torch.randn(4, 4)
    state['head.queue'] = torch.randn(8, 4)
    torch.save(dict(state_dict=state, meta=dict(epoch=1, iter=2)), path)
    return online, teacher


@pytest.fixture(scope='module')
def converted(tmp_path_factory, repo_root):
    tmp = tmp_path_factory.mktemp('convert')
    src = str(tmp / 'epoch_1.pth')
    online, teacher = _training_checkpoint(src)
    tool = _tool(repo_root)
    out = {}
    for encoder in ('online', 'teacher'):
        dst = str(tmp / f'{encoder}.pth')
        assert tool.main([src, dst, '--encoder', encoder]) == 0
        out[encoder] = dst
    return dict(online=online, teacher=teacher, paths=out, src=src)


def _assert_same(state, reference):
    assert set(state) == set(reference)
    for key, value in reference.items():
        assert torch.equal(state[key], value), key


def test_output_is_safe_and_plain(converted):
    ckpt = torch.load(
        converted['paths']['online'], map_location='cpu', weights_only=True)
    assert set(ckpt) == {'state_dict', 'meta'}
    meta = ckpt['meta']
    assert meta['encoder'] == 'online' and meta['prefix'] == 'backbone.'
    assert meta['kind'] == 'resnet'
    assert meta['num_tensors'] == len(converted['online'])
    # no neck, head, queue or teacher keys
    assert not any(
        k.startswith(('neck', 'head', 'momentum', 'backbone'))
        for k in ckpt['state_dict'])


@pytest.mark.parametrize('encoder', ['online', 'teacher'])
def test_values_of_the_chosen_encoder(converted, encoder):
    ckpt = torch.load(
        converted['paths'][encoder], map_location='cpu', weights_only=True)
    _assert_same(ckpt['state_dict'], converted[encoder])
    other = 'teacher' if encoder == 'online' else 'online'
    assert not torch.equal(ckpt['state_dict']['conv1.weight'],
                           converted[other]['conv1.weight'])


@pytest.mark.parametrize('scope', ['mmdet', 'mmseg', 'mmpose'])
def test_loads_with_no_missing_keys_through_init_cfg(converted, scope):
    """Strict key match, and mmengine's ``Pretrained`` init copies it."""
    module = pytest.importorskip(f'{scope}.models')
    resnet_cls = module.backbones.ResNet
    path = converted['paths']['teacher']
    net = resnet_cls(
        **SMALL, init_cfg=dict(type='Pretrained', checkpoint=path))
    state = torch.load(path, map_location='cpu', weights_only=True)
    result = net.load_state_dict(state['state_dict'], strict=False)
    assert result.missing_keys == [] and result.unexpected_keys == []
    fresh = resnet_cls(
        **SMALL, init_cfg=dict(type='Pretrained', checkpoint=path))
    fresh.init_weights()
    _assert_same(fresh.state_dict(), converted['teacher'])


def test_mmseg_resnet_v1c_needs_a_deep_stem(converted):
    """mmseg's default UPerNet backbone (ResNetV1c) has a 3-conv stem that
    a plain ResNet checkpoint cannot fill: our benchmark configs use
    ``type='ResNet'`` (docs/transfer.md)."""
    mmseg_models = pytest.importorskip('mmseg.models')
    net = mmseg_models.backbones.ResNetV1c(**SMALL)
    state = torch.load(
        converted['paths']['online'], map_location='cpu', weights_only=True)
    result = net.load_state_dict(state['state_dict'], strict=False)
    assert any(k.startswith('stem.') for k in result.missing_keys)
    assert set(result.unexpected_keys) == {'conv1.weight'} | {
        k
        for k in state['state_dict'] if k.startswith('bn1.')
    }


def test_r50_c4_backbone_and_extra_norm_res5_head(tmp_path, repo_root):
    """R50-C4: res2-res4 go to the backbone, res5 to the ROI head's
    ``ResLayerExtraNorm`` (mmpretrain registers it in mmdet's MODELS)."""
    pytest.importorskip('mmdet')
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope

    import mmssl_addons  # noqa: F401  (registers mmpretrain's components)
    init_default_scope('mmdet')
    src, dst = str(tmp_path / 'r50.pth'), str(tmp_path / 'backbone.pth')
    online, _ = _training_checkpoint(src, depth=50)
    assert _tool(repo_root).main([src, dst]) == 0
    init = dict(type='Pretrained', checkpoint=dst)
    backbone = MODELS.build(
        dict(
            type='ResNet',
            depth=50,
            num_stages=3,
            strides=(1, 2, 2),
            dilations=(1, 1, 1),
            out_indices=(2, ),
            init_cfg=init))
    head = MODELS.build(
        dict(
            type='ResLayerExtraNorm',
            depth=50,
            stage=3,
            stride=2,
            norm_eval=False,
            norm_cfg=dict(type='BN', requires_grad=True),
            init_cfg=init))
    backbone.init_weights()
    head.init_weights()
    _assert_same(backbone.state_dict(), {
        k: v
        for k, v in online.items() if not k.startswith('layer4')
    })
    head_state = head.state_dict()
    _assert_same(
        {
            k: v
            for k, v in head_state.items() if k.startswith('layer4')
        }, {
            k: v
            for k, v in online.items() if k.startswith('layer4')
        })
    # the extra norm after res5 starts at identity
    assert torch.all(head_state['norm.weight'] == 1)
    x = torch.randn(2, 1024, 14, 14)
    assert head(x).shape == (2, 2048, 7, 7)


def test_target_net_teacher_and_vit(tmp_path):
    state = {
        'target_net.module.0.patch_embed.projection.weight':
        torch.ones(8, 3, 4, 4),
        'target_net.module.0.cls_token': torch.zeros(1, 1, 8),
        'backbone.patch_embed.projection.weight': torch.zeros(8, 3, 4, 4),
    }
    ckpt = backbone_checkpoint(state, encoder='teacher', source='x.pth')
    assert ckpt['meta']['kind'] == 'vit'
    assert ckpt['meta']['prefix'] == 'target_net.module.0.'
    assert torch.equal(ckpt['state_dict']['patch_embed.projection.weight'],
                       torch.ones(8, 3, 4, 4))
    assert backbone_kind({'stem.0.weight': 0, 'layer1.0.x': 0}) == 'resnet'


def test_bare_backbone_and_explicit_prefix(tmp_path, repo_root):
    online = _resnet_state(0, **SMALL)
    bare, wrapped = str(tmp_path / 'bare.pth'), str(tmp_path / 'w.pth')
    torch.save(online, bare)
    torch.save({'model': {
        f'encoder_q.0.{k}': v
        for k, v in online.items()
    }}, wrapped)
    tool = _tool(repo_root)
    for src, extra in ((bare, []), (wrapped, ['--prefix', 'encoder_q.0.'])):
        dst = str(tmp_path / 'out.pth')
        assert tool.main([src, dst, *extra, '--overwrite']) == 0
        _assert_same(torch.load(dst, weights_only=True)['state_dict'], online)


def test_error_paths(tmp_path, repo_root, capsys):
    tool = _tool(repo_root)
    out = str(tmp_path / 'out.pth')

    assert tool.main([str(tmp_path / 'missing.pth'), out]) == 2
    assert 'checkpoint not found' in capsys.readouterr().err

    only_online = str(tmp_path / 'online.pth')
    torch.save(
        {
            'state_dict': {
                f'backbone.{k}': v
                for k, v in _resnet_state(0, **SMALL).items()
            }
        }, only_online)
    assert tool.main([only_online, out, '--encoder', 'teacher']) == 2
    err = capsys.readouterr().err
    assert 'no teacher backbone' in err and '--encoder online' in err

    neck = str(tmp_path / 'neck.pth')
    torch.save({'state_dict': {'neck.mlp.0.weight': torch.zeros(2, 2)}}, neck)
    assert tool.main([neck, out]) == 2
    assert 'top-level names: neck' in capsys.readouterr().err
    assert tool.main([neck, out, '--prefix', 'neck.']) == 2
    assert 'not a recognisable backbone' in capsys.readouterr().err

    empty = str(tmp_path / 'empty.pth')
    torch.save({'meta': {'epoch': 1}}, empty)
    assert tool.main([empty, out]) == 2
    assert 'holds no tensors' in capsys.readouterr().err

    unsafe = str(tmp_path / 'unsafe.pth')
    torch.save({'state_dict': {'x': torch.zeros(1)}, 'obj': _Unsafe()}, unsafe)
    assert tool.main([unsafe, out]) == 2
    assert 'weights_only' in capsys.readouterr().err
    assert not osp.exists(out)  # nothing written on failure


class _Unsafe:
    pass
