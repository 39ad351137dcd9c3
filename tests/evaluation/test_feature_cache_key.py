"""The feature cache never returns features of another checkpoint, file
list or data folder."""
import os
import os.path as osp
import shutil

import numpy as np
import torch

CONFIG = 'configs/lcr/moco_lcr_synthetic_demo.py'


def test_stale_features_are_never_returned(repo_root, tiny_cub, tmp_path,
                                           monkeypatch):
    from mmpretrain.registry import MODELS

    from mmssl_addons.evaluation import feature_cache as fc
    from mmssl_addons.utils import load_config
    monkeypatch.chdir(tmp_path)
    shutil.copytree(tiny_cub, 'a/data')
    shutil.copytree(tiny_cub, 'b/data')
    opts = {'test_dataloader.dataset.data_root': 'data', 'model.queue_len': 64}
    cfg = load_config(osp.join(repo_root, CONFIG), opts)
    ckpt = str(tmp_path / 'epoch_1.pth')
    torch.manual_seed(0)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    calls = []
    real = fc.extract_features

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fc, 'extract_features', counting)

    def feats(out=None):
        return fc.load_or_extract(cfg, ckpt, 'test', out=out, progress=False)

    monkeypatch.chdir(tmp_path / 'a')
    first = feats()
    assert len(calls) == 1
    feats()
    assert len(calls) == 1  # cached
    # same relative data_root in another folder: other images
    monkeypatch.chdir(tmp_path / 'b')
    other = feats()
    assert len(calls) == 2 and other['cache'] != first['cache']
    # a changed file list (one image fewer)
    monkeypatch.chdir(tmp_path / 'a')
    img = first['img_paths'][0]
    os.remove(img)
    shutil.copy(str(other['img_paths'][1]), img)  # other content/size
    feats()
    assert len(calls) == 3
    # another checkpoint content under the same name, same mtime
    st = os.stat(ckpt)
    torch.manual_seed(1)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    os.utime(ckpt, ns=(st.st_atime_ns, st.st_mtime_ns))
    out = str(tmp_path / 'feats.npz')
    new = feats(out)
    assert len(calls) == 4
    # --out holding features of another checkpoint: re-extracted
    torch.manual_seed(2)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    newer = feats(out)
    assert len(calls) == 5
    assert not np.allclose(new['features'], newer['features'])
    feats(out)
    assert len(calls) == 5
