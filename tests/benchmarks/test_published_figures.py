"""Every figure in 'Transfer: published figures' is in the cited paper."""
import os.path as osp
import re

import pytest

PAPERS = {
    'CLoVE': 'clove_contextualized_local_embeddings.txt',
    'SCA': 'sca_spatial_cross_attention.txt',
    'DiLo': 'dilo_distilling_localization.txt',
    'LCR': 'lcr_learning_common_rationale.txt',
}
# ``../shared/papers`` relative to the repository root (not shipped)
PAPER_DIR = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), '..',
    'shared', 'papers')


def section(repo_root):
    with open(osp.join(repo_root, 'benchmarks', 'README.md')) as f:
        text = f.read()
    start = text.index('## Transfer: published figures')
    end = text.find('\n## ', start + 1)
    return text[start:] if end < 0 else text[start:end]


@pytest.mark.skipif(
    not osp.isdir(PAPER_DIR),
    reason=f'paper texts not found in {osp.normpath(PAPER_DIR)} '
    '(../shared/papers next to the repository)')
def test_quoted_numbers_appear_in_the_cited_paper(repo_root):
    text = section(repo_root)
    papers = {}
    for name, fname in PAPERS.items():
        with open(osp.join(PAPER_DIR, fname)) as f:
            papers[name] = f.read()
    main, lcr = text.split('### LCR')
    rows = [
        line for line in main.splitlines()
        if 'Table' in line and line.startswith('|')
    ]
    assert len(rows) == 11
    for row in rows:
        source = re.search(r'(CLoVE|SCA|DiLo) Table \d+', row).group(1)
        cells = ' '.join(row.split('|')[4:-2])  # published-number columns
        numbers = re.findall(r'\b\d+\.\d+\b', cells)
        assert numbers, row
        missing = [n for n in numbers if n not in papers[source]]
        assert not missing, (row, missing)
    numbers = re.findall(r'\b\d+\.\d+\b', lcr)
    assert len(numbers) > 30
    assert [n for n in numbers if n not in papers['LCR']] == []
