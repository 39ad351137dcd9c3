"""Run a training command with its full output in a log file and one
progress line per epoch (with mmengine's ETA) on the terminal.

    python tools/run_logged.py LOG [--label NAME] [--epochs N] -- CMD ...

Exit status: the command's. On failure the last 30 log lines are shown.
"""
import argparse
import re
import subprocess
import sys
import time

_EPOCH = re.compile(r'Epoch\(train\)\s*\[(\d+)\]\[\s*(\d+)/(\d+)\]')
_ETA = re.compile(r'eta: ([0-9:days, ]+?)\s+time')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('log')
    parser.add_argument('--label', default='run')
    parser.add_argument('--epochs', type=int, help='total, for the display')
    argv = sys.argv[1:] if argv is None else list(argv)
    if '--' not in argv:
        parser.error('give the command after --')
    split = argv.index('--')
    args, cmd = parser.parse_args(argv[:split]), argv[split + 1:]
    start, shown = time.time(), None
    total = f'/{args.epochs}' if args.epochs else ''
    with open(args.log, 'w') as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            match = _EPOCH.search(line)
            if match and match.group(1) != shown:
                shown = match.group(1)
                eta = _ETA.search(line)
                print(
                    f'[{args.label}] epoch {shown}{total}, '
                    f'{time.time() - start:.0f} s elapsed' +
                    (f', eta {eta.group(1)}' if eta else ''),
                    flush=True)
        code = proc.wait()
    if code:
        with open(args.log) as f:
            sys.stdout.write(''.join(f.readlines()[-30:]))
        print(f'[{args.label}] failed (exit {code}); full log: {args.log}')
    else:
        print(
            f'[{args.label}] done in {time.time() - start:.0f} s; '
            f'log: {args.log}',
            flush=True)
    return code


if __name__ == '__main__':
    sys.exit(main())
