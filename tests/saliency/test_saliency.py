"""Unsupervised saliency estimators and the F-beta / MAE metrics."""
import numpy as np
import pytest

from mmssl_addons.evaluation.functional import saliency_scores
from mmssl_addons.saliency import (FolderSaliency, SuperpixelGraph,
                                   boundary_connectivity,
                                   build_superpixel_graph, centre_prior,
                                   estimate_saliency)


def _object_image(h=64, w=64, off=(0, 0), seed=0):
    """A bright red disc on a plain, slightly noisy gray background."""
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 90, np.float64) + rng.normal(0, 3, (h, w, 3))
    yy, xx = np.mgrid[0:h, 0:w]
    cy, cx = h / 2 + off[0], w / 2 + off[1]
    gt = (yy - cy)**2 + (xx - cx)**2 < (min(h, w) / 5)**2
    img[gt] = (230, 60, 40)
    return np.clip(img, 0, 255).astype(np.uint8), gt


@pytest.mark.parametrize('method', ['rbd', 'gs', 'mc'])
@pytest.mark.parametrize('off', [(0, 0), (-12, 10)])
def test_object_more_salient_than_background(method, off):
    img, gt = _object_image(off=off)
    sal = estimate_saliency(img, method, n_segments=80)
    assert sal.shape == gt.shape and sal.dtype == np.float32
    assert 0 <= sal.min() and sal.max() <= 1
    assert sal[gt].mean() > sal[~gt].mean() + 0.5
    assert saliency_scores(sal, gt)['fbeta'] > 0.8


def test_centre_prior_and_bad_input():
    c = centre_prior((9, 11))
    assert c.shape == (9, 11) and c[4, 5] == c.max() == 1.
    assert c.min() == 0. and c[0, 0] == pytest.approx(c[8, 10], abs=1e-6)
    assert c[4, 0] > c[0, 0]
    with pytest.raises(ValueError, match='RGB'):
        estimate_saliency(np.zeros((8, 8, 4)), 'rbd')
    with pytest.raises(ValueError, match='unknown saliency method'):
        estimate_saliency(np.zeros((8, 8, 3)), 'basnet')


def _naive_geodesic(w, edges):
    n = len(w)
    d = np.where(edges, w + 1e-6, np.inf)
    np.fill_diagonal(d, 0)
    for k in range(n):  # Floyd-Warshall
        for i in range(n):
            for j in range(n):
                d[i, j] = min(d[i, j], d[i, k] + d[k, j])
    return d


def test_boundary_connectivity_matches_naive_reference():
    # 2x3 grid of superpixels: border = all but none; make a 3x3 grid
    labels = np.arange(9).reshape(3, 3).repeat(4, 0).repeat(4, 1)
    lab = np.zeros((9, 3))
    lab[4] = (50, 40, 0)  # the centre superpixel differs
    adj = np.zeros((9, 9), bool)
    for i in range(9):
        for j in range(9):
            ri, ci, rj, cj = i // 3, i % 3, j // 3, j % 3
            adj[i, j] = abs(ri - rj) + abs(ci - cj) == 1
    boundary = np.ones(9, bool)
    boundary[4] = False
    g = SuperpixelGraph(labels, lab, np.zeros((9, 2)), np.full(9, 16.),
                        boundary, adj)
    bc = boundary_connectivity(g, sigma_clr=10., clip=False)
    dist = g.color_dist()
    edges = adj | np.outer(boundary, boundary)
    np.fill_diagonal(edges, False)
    geo = _naive_geodesic(dist, edges)
    sim = np.exp(-geo**2 / 200.)
    ref = sim[:, boundary].sum(1) / np.sqrt(sim.sum(1))
    np.testing.assert_allclose(bc, ref, rtol=1e-6)
    assert bc[4] < bc[0]  # the odd centre is weakly connected to the border


def test_superpixel_graph_properties():
    img, _ = _object_image(48, 40)
    g = build_superpixel_graph(img, n_segments=30)
    assert g.labels.shape == (48, 40)
    assert g.num == g.labels.max() + 1 == len(g.lab)
    assert (g.adjacency == g.adjacency.T).all()
    assert not g.adjacency.diagonal().any()
    assert g.boundary[g.labels[0, 0]] and g.size.sum() == 48 * 40


def _naive_scores(sal, gt, beta2=0.3):
    thr = min(2 * sal.mean(), 1)
    tp = fp = fn = 0
    for s, g in zip(sal.ravel(), gt.ravel()):
        p = s >= thr
        tp += p and g
        fp += p and not g
        fn += (not p) and g
    prec = tp / (tp + fp) if tp + fp else 0
    rec = tp / (tp + fn) if tp + fn else 0
    f = (1 + beta2) * prec * rec / (beta2 * prec + rec) if prec + rec else 0
    mae = sum(abs(s - g) for s, g in zip(sal.ravel(), gt.ravel())) / sal.size
    return f, mae


def test_fbeta_mae_match_naive_reference():
    rng = np.random.default_rng(0)
    for _ in range(3):
        sal = rng.random((12, 9))
        gt = rng.random((12, 9)) > 0.6
        f, mae = _naive_scores(sal, gt)
        out = saliency_scores(sal, (gt * 255).astype(np.uint8))
        assert out['fbeta'] == pytest.approx(f)
        assert out['mae'] == pytest.approx(mae)
    perfect = saliency_scores(gt.astype(float), gt)
    assert perfect['fbeta'] == 1 and perfect['mae'] == 0
    with pytest.raises(ValueError, match='same'):
        saliency_scores(np.zeros((4, 4)), np.zeros((4, 5)))


def test_rbd_beats_centre_prior_on_synthetic(tmp_path):
    import cv2

    from mmssl_addons.synthetic import generate_synthetic_cub
    root = tmp_path / 'syn'
    info = generate_synthetic_cub(
        str(root), num_classes=3, per_class=4, size=128, seed=1)
    del info
    import glob
    imgs = sorted(glob.glob(str(root / 'images' / '*' / '*.jpg')))
    rbd, cp = [], []
    for p in imgs:
        img = cv2.imread(p)[..., ::-1]
        gt = cv2.imread(
            p.replace('/images/', '/segmentations/')[:-4] + '.png', 0)
        rbd.append(saliency_scores(estimate_saliency(img, 'rbd'), gt))
        cp.append(saliency_scores(centre_prior(gt.shape), gt))
    f_rbd = np.mean([s['fbeta'] for s in rbd])
    f_cp = np.mean([s['fbeta'] for s in cp])
    assert f_rbd > f_cp, (f_rbd, f_cp)


def test_folder_provider(tmp_path):
    import cv2
    (tmp_path / 'im' / 'a').mkdir(parents=True)
    (tmp_path / 'm' / 'a').mkdir(parents=True)
    cv2.imwrite(
        str(tmp_path / 'm' / 'a' / 'x.png'), np.full((4, 6), 255, np.uint8))
    prov = FolderSaliency(str(tmp_path / 'im'), str(tmp_path / 'm'))
    out = prov(str(tmp_path / 'im' / 'a' / 'x.jpg'), shape=(8, 12))
    assert out.shape == (8, 12) and out.min() == 1.
    with pytest.raises(FileNotFoundError, match='compute_saliency'):
        prov(str(tmp_path / 'im' / 'a' / 'y.jpg'))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        FolderSaliency(str(tmp_path / 'im'), str(tmp_path / 'nope'))
