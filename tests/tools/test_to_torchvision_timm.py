"""tools/model_converters/to_torchvision.py and to_timm.py end to end."""
import contextlib
import importlib.util
import io
import os
import os.path as osp

import pytest
import torch
import torchvision


def run(repo_root, tool, *args):
    """The tool's entry point in this process; returns (code, message)."""
    spec = importlib.util.spec_from_file_location(
        tool, osp.join(repo_root, 'tools/model_converters', tool + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            module.run_cli(module.main, list(args), prog=tool + '.py')
    except SystemExit as stop:
        assert stop.code == 2  # the status of every converter
        return 1, err.getvalue().strip()
    return 0, ''


def two_encoder_checkpoint(path, online, teacher):
    """Laid out as tools/train.py writes BYOL-style models."""
    state = {'backbone.' + k: v for k, v in online.items()}
    state.update({'target_net.module.0.' + k: v for k, v in teacher.items()})
    state['neck.mlp.0.weight'] = torch.zeros(2, 2)
    torch.save({'meta': {'epoch': 1}, 'state_dict': state}, path)


def test_to_torchvision_online_and_teacher(repo_root, tmp_path):
    torch.manual_seed(0)
    online = torchvision.models.resnet18().state_dict()
    teacher = torchvision.models.resnet18().state_dict()
    for state in (online, teacher):
        del state['fc.weight'], state['fc.bias']
    ckpt = str(tmp_path / 'epoch_1.pth')
    two_encoder_checkpoint(ckpt, online, teacher)
    for encoder, source in (('online', online), ('teacher', teacher)):
        out = str(tmp_path / f'{encoder}.pth')
        code, msg = run(repo_root, 'to_torchvision', ckpt, out, '--encoder',
                        encoder)
        assert code == 0, msg
        model = torchvision.models.resnet18()
        result = model.load_state_dict(
            torch.load(out, weights_only=True), strict=False)
        assert sorted(result.missing_keys) == ['fc.bias', 'fc.weight']
        assert result.unexpected_keys == []
        assert torch.equal(model.layer4[1].conv2.weight,
                           source['layer4.1.conv2.weight'])
    assert sorted(
        os.listdir(tmp_path)) == ['epoch_1.pth', 'online.pth', 'teacher.pth']


def test_to_timm_strict_load(repo_root, tmp_path):
    from mmpretrain.models import VisionTransformer
    from timm.models.vision_transformer import VisionTransformer as TimmViT
    vit = VisionTransformer(
        arch=dict(
            embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64),
        img_size=32,
        patch_size=8)
    ckpt = str(tmp_path / 'epoch_1.pth')
    torch.save(
        {
            'state_dict': {
                'backbone.' + k: v
                for k, v in vit.state_dict().items()
            }
        }, ckpt)
    out = str(tmp_path / 'timm.pth')
    code, msg = run(repo_root, 'to_timm', ckpt, out)
    assert code == 0, msg
    model = TimmViT(
        img_size=32,
        patch_size=8,
        embed_dim=32,
        depth=2,
        num_heads=2,
        mlp_ratio=2,
        num_classes=0)
    model.load_state_dict(torch.load(out, weights_only=True), strict=True)
    # and the ResNet converters refuse it
    code, msg = run(repo_root, 'to_torchvision', ckpt, str(tmp_path / 'x.pth'))
    assert code == 1 and 'to_timm.py' in msg
    assert not osp.exists(tmp_path / 'x.pth')


@pytest.mark.parametrize('tool,expected', [
    ('to_timm', 'ResNet backbone'),
    ('to_torchvision', 'no online backbone found'),
])
def test_user_errors(repo_root, tmp_path, tool, expected):
    path = str(tmp_path / 'in.pth')
    if tool == 'to_timm':
        state = torchvision.models.resnet18().state_dict()
    else:
        state = {'neck.fc.weight': torch.zeros(2, 2)}
    torch.save(state, path)
    out = str(tmp_path / 'out.pth')
    code, msg = run(repo_root, tool, path, out)
    assert code == 1
    assert msg.startswith(f'{tool}.py: error: ') and expected in msg, msg
    assert not osp.exists(out)
