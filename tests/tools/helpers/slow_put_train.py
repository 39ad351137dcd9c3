"""Run tools/train.py with checkpoint writes made slow (a test helper).

The write of a file whose name contains ``$SLOW_PUT_MATCH`` stops after
half its bytes, touches ``$SLOW_PUT_MARKER`` and sleeps, so that a test can
SIGKILL the process in the middle of a real checkpoint save.
"""
import os
import runpy
import sys
import time

from mmengine.fileio.backends import LocalBackend

_put = LocalBackend.put


def slow_put(self, obj, filepath):
    if os.environ['SLOW_PUT_MATCH'] not in str(filepath):
        return _put(self, obj, filepath)
    with open(filepath, 'wb') as f:
        f.write(obj[:len(obj) // 2])
        f.flush()
        open(os.environ['SLOW_PUT_MARKER'], 'w').close()
        time.sleep(600)
        f.write(obj[len(obj) // 2:])


LocalBackend.put = slow_put
sys.argv = ['tools/train.py', *sys.argv[1:]]
runpy.run_path('tools/train.py', run_name='__main__')
