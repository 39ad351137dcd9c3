"""DAVIS-layout synthetic clips: an oracle feature gives J&F = 1."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmssl_addons.evaluation.video_segmentation import (evaluate_davis,
                                                        load_video,
                                                        read_video_list)
from mmssl_addons.synthetic import generate_synthetic_davis


@pytest.fixture(scope='module')
def clips(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('davis'))
    generate_synthetic_davis(
        root, num_videos=2, num_frames=5, size=48, num_objects=2, seed=0)
    return root


def test_layout(clips):
    videos = read_video_list(clips)
    assert videos == ['synth00', 'synth01']
    frames, gts, names = load_video(clips, videos[0])
    assert len(frames) == len(gts) == 5 and names[0] == '00000.jpg'
    assert frames[0].shape == (48, 48, 3) and gts[0].shape == (48, 48)
    assert set(np.unique(gts[0])) == {0, 1, 2}
    # objects move
    assert not np.array_equal(gts[0], gts[-1])
    with pytest.raises(
            FileNotFoundError, match=r'mmssl_addons\.synthetic\.video'):
        read_video_list(clips + '/missing')


def test_oracle_features_give_perfect_j_and_f(clips):

    def oracle_for(video):
        _, gts, _ = load_video(clips, video)
        return lambda frames: torch.stack([
            F.one_hot(torch.as_tensor(g).long(), 3).permute(2, 0, 1).float()
            for g in gts
        ])

    for video in ('synth00', 'synth01'):
        res = evaluate_davis(
            oracle_for(video), clips, videos=[video], progress=False)
        assert res['JF_mean'] == pytest.approx(1.0)
    # features unrelated to the content do much worse
    g = torch.Generator().manual_seed(0)
    rand = evaluate_davis(
        lambda frames: torch.randn(len(frames), 8, 12, 12, generator=g),
        clips,
        progress=False)
    assert rand['JF_mean'] < 0.5
    assert set(rand['per_video']) == {'synth00', 'synth01'}
