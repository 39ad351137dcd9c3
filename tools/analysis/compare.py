"""Print a side-by-side table of metric JSON files of several runs.

    python tools/analysis/compare.py "MoCo v2=a/metrics.json" \
        "LCR=b/metrics.json" [--out table.md]
"""
import argparse
import json
import os.path as osp

from mmssl_addons.utils import atomic_path


def parse_run(text):
    name, sep, path = text.partition('=')
    if not sep:
        name, path = osp.basename(osp.dirname(text)) or text, text
    if not osp.isfile(path):
        raise SystemExit(f'error: metrics file not found: {path}')
    with open(path) as f:
        return name, json.load(f)


def markdown_table(runs):
    keys = []
    for _, metrics in runs:
        keys += [k for k in metrics if k not in keys]
    lines = [
        '| metric | ' + ' | '.join(name for name, _ in runs) + ' |',
        '|---' * (len(runs) + 1) + '|'
    ]
    for key in keys:
        cells = [f'{m[key]:.2f}' if key in m else '-' for _, m in runs]
        lines.append(f'| {key} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('runs', nargs='+', help='NAME=metrics.json')
    parser.add_argument('--out', help='also write the table to this file')
    args = parser.parse_args()
    table = markdown_table([parse_run(r) for r in args.runs])
    print(table)
    if args.out:
        with atomic_path(args.out) as tmp:
            with open(tmp, 'w') as f:
                f.write(table)


if __name__ == '__main__':
    main()
