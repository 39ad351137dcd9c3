"""import_released.py lcr / moco: a checkpoint with GANPerf/LCR's exact
layout (moco/builder.py, main_moco.py) becomes our MoCoLCR, and our
test-time feature equals the authors' ``MoCo.inference()`` feature.

The released model is rebuilt here from torchvision modules (encoder_q /
encoder_k: torchvision ResNet-50 whose ``fc`` is the MoCo v2 MLP; conv16
without bias; bn16; conv16_2 / bn16_2; fc, qmax, kmax; the two queues),
saved as ``{'epoch', 'arch', 'state_dict', 'optimizer'}`` of a DDP model.
"""
import os.path as osp
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from mmssl_addons.utils.released_import import import_released

torchvision = pytest.importorskip('torchvision')

DIM, K = 256, 16  # released moco-dim 256; a short queue


def _randomise(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            elif name.endswith('weight') and t.dim() == 1:  # BN gamma
                t.copy_(torch.rand(t.shape, generator=g) + 0.5)
            elif t.dim() > 1:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=g) / fan_in**0.5)
            else:
                t.copy_(0.1 * torch.randn(t.shape, generator=g))
    return module


class ReleasedLCR(nn.Module):
    """The module names and shapes of GANPerf/LCR's ``moco.builder.MoCo``
    (``mlp=True``, ``dim=256``), with torchvision ResNet-50 encoders."""

    def __init__(self):
        super().__init__()
        self.encoder_q = torchvision.models.resnet50()
        self.encoder_k = torchvision.models.resnet50()
        for enc in (self.encoder_q, self.encoder_k):
            enc.fc = nn.Sequential(
                nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, DIM))
        self.register_buffer('queue', F.normalize(torch.randn(DIM, K), dim=0))
        self.register_buffer('queue_ptr', torch.zeros(1, dtype=torch.long))
        self.register_buffer('queue_max',
                             F.normalize(torch.randn(DIM, K), dim=0))
        self.register_buffer('queue_ptr_max', torch.zeros(1, dtype=torch.long))
        self.conv16 = nn.Conv2d(2048, 32, 1, bias=False)
        self.bn16 = nn.BatchNorm2d(32)
        self.conv16_2 = nn.Conv2d(32, 1, 1, bias=False)
        self.bn16_2 = nn.BatchNorm2d(1)
        self.fc = nn.Linear(2048, DIM)
        self.qmax = nn.Sequential(nn.Linear(2048, 2048), nn.ReLU(), self.fc)
        self.kmax = nn.Sequential(nn.Linear(2048, 2048), nn.ReLU(), self.fc)

    def featmap(self, img):
        """torchvision ResNet-50 up to layer4: ``(N, 2048, h, w)``."""
        e = self.encoder_q
        x = e.maxpool(e.relu(e.bn1(e.conv1(img))))
        return e.layer4(e.layer3(e.layer2(e.layer1(x))))

    def inference(self, img):
        """The authors' ``inference()`` feature ``bp_out_feat``: average
        pooling of ``phi * A'``, ``A'`` the max over the K maps of
        ReLU(bn16(conv16(phi))), shifted by its minimum and divided by
        (1e-7 + its maximum), then L2 normalisation. (Their AvgPool2d(7)
        is the global mean on the 7x7 map of a 224 px image.)"""
        phi = self.featmap(img)
        maps = torch.relu(self.bn16(self.conv16(phi)))
        att = maps.max(dim=1).values
        att = att - att.min()
        att = att / (1e-7 + att.max())
        pooled = (phi * att[:, None]).mean(dim=(2, 3))
        return F.normalize(pooled, dim=1)


def released_checkpoint(path, with_branch=True):
    model = _randomise(ReleasedLCR(), seed=0).eval()
    state = {f'module.{k}': v for k, v in model.state_dict().items()}
    if not with_branch:
        state = {
            k: v
            for k, v in state.items()
            if k.startswith('module.encoder') or k in ('module.queue',
                                                       'module.queue_ptr')
        }
    torch.save(
        dict(
            epoch=100,
            arch='resnet50',
            state_dict=state,
            optimizer=dict(state={}, param_groups=[])), path)
    return model


def our_model(with_gfb=True):
    gfb = dict(
        type='GradCAMFittingHead',
        in_channels=2048,
        num_projections=32,
        with_bn_relu=True)
    return MODELS.build(
        dict(
            type='MoCoLCR',
            queue_len=K,
            feat_dim=DIM,
            momentum=0.001,
            backbone=dict(type='ResNet', depth=50),
            neck=dict(
                type='MoCoV2Neck',
                in_channels=2048,
                hid_channels=2048,
                out_channels=DIM,
                with_avg_pool=True),
            head=dict(
                type='ContrastiveHead',
                loss=dict(type='CrossEntropyLoss'),
                temperature=0.2),
            gfb_head=gfb if with_gfb else None))


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('lcr') / 'checkpoint_0099.pth.tar')
    return path, released_checkpoint(path)


def test_lcr_feature_equals_authors_inference(released):
    path, authors = released
    ckpt = import_released(path, 'lcr')
    ours = our_model()
    ours.load_state_dict(ckpt['state_dict'], strict=True)
    ours.eval()
    g = torch.Generator().manual_seed(1)
    for _ in range(2):  # one image at a time, as their min/max is global
        img = torch.randn(1, 3, 64, 64, generator=g)
        with torch.no_grad():
            expected = authors.inference(img)
            feat = ours.extract_pooled_feat(img)
        cos = F.cosine_similarity(feat, expected).item()
        assert cos > 0.999, cos
    # the key encoder, queue and EMA step counter came along too
    k_backbone = ours.encoder_k.module[0]
    torch.testing.assert_close(k_backbone.conv1.weight,
                               authors.encoder_k.conv1.weight)
    torch.testing.assert_close(ours.queue, authors.queue)
    assert int(ours.encoder_k.steps) == 1
    dropped = ckpt['meta']['dropped']
    assert {'queue_max', 'conv16_2.weight', 'qmax.0.weight'} <= set(dropped)
    assert not any(k.startswith('encoder_') for k in dropped)


def test_biased_projection_variant_is_not_the_released_branch(released):
    """The released conv16 has no bias: a head with one cannot load it."""
    ckpt = import_released(released[0], 'lcr')
    ours = our_model()
    ours.gfb_head.projections = nn.Conv2d(2048, 32, 1, bias=True)
    with pytest.raises(RuntimeError, match='projections.bias'):
        ours.load_state_dict(ckpt['state_dict'], strict=True)


def test_moco_layout_loads_into_mocov2(tmp_path):
    path = str(tmp_path / 'moco_v2.pth.tar')
    authors = released_checkpoint(path, with_branch=False)
    ckpt = import_released(path, 'moco')
    ours = our_model(with_gfb=False)
    ours.load_state_dict(ckpt['state_dict'], strict=True)
    torch.testing.assert_close(ours.neck.mlp[2].weight,
                               authors.encoder_q.fc[2].weight)
    assert ckpt['meta']['kind'] == 'full' and not ckpt['meta']['dropped']
    # an LCR-only layout is refused for the MoCo file, naming the nearest
    with pytest.raises(ValueError) as err:
        import_released(path, 'lcr')
    msg = str(err.value)
    assert 'state_dict' in msg and 'encoder_q' in msg
    assert "nearest known layout is 'moco'" in msg


def test_cli_output_feeds_the_converters(released, repo_root, tmp_path):
    out = str(tmp_path / 'lcr_imported.pth')
    env_py = sys.executable
    tool = osp.join(repo_root, 'tools', 'model_converters')
    run = subprocess.run([
        env_py,
        osp.join(tool, 'import_released.py'), 'lcr', released[0], out
    ],
                         capture_output=True,
                         text=True,
                         cwd=repo_root)
    assert run.returncode == 0, run.stderr
    assert 'MoCoLCR' in run.stdout
    # the released config loads it as tools/test.py and the analysis tools
    # do (mmengine load_checkpoint, strict); only the queue is shorter here
    from mmssl_addons.utils import init_model, load_config
    cfg = load_config(
        osp.join(repo_root, 'configs/lcr/moco_lcr_released_cub.py'),
        {'model.queue_len': K})
    model = init_model(cfg, out)
    torch.testing.assert_close(model.gfb_head.bn_relu[0].running_var,
                               released[1].bn16.running_var)
    bb = str(tmp_path / 'backbone.pth')
    run = subprocess.run([
        env_py,
        osp.join(tool, 'extract_backbone.py'), out, bb, '--encoder', 'teacher'
    ],
                         capture_output=True,
                         text=True,
                         cwd=repo_root)
    assert run.returncode == 0, run.stderr
    state = torch.load(bb, weights_only=True)['state_dict']
    torch.testing.assert_close(state['conv1.weight'],
                               released[1].encoder_k.conv1.weight)
    bad = subprocess.run([
        env_py,
        osp.join(tool, 'import_released.py'), 'bam', released[0],
        str(tmp_path / 'x.pth')
    ],
                         capture_output=True,
                         text=True,
                         cwd=repo_root)
    assert bad.returncode == 2  # the converters share exit status 2
    assert "import_released.py: error:" in bad.stderr
    assert 'top-level keys of the file: epoch, arch, state_dict' in bad.stderr
    assert not osp.exists(str(tmp_path / 'x.pth'))
