"""atomic_io: all or nothing, normal permissions, exact bytes."""
import os
import stat

import pytest

from mmssl_addons.utils import atomic_path, dump_json_atomic
from mmssl_addons.utils.atomic_io import write_bytes_atomic, write_lines_atomic


def test_success_renames_with_umask_permissions(tmp_path):
    path = tmp_path / 'out.json'
    dump_json_atomic({'a': 1}, str(path))
    assert path.read_text().strip().startswith('{')
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ['out.json']


def test_failure_leaves_nothing(tmp_path):
    path = tmp_path / 'out.bin'
    with pytest.raises(RuntimeError):
        with atomic_path(str(path)) as tmp:
            with open(tmp, 'wb') as f:
                f.write(b'half')
            raise RuntimeError('interrupted')
    assert list(tmp_path.iterdir()) == []


def test_write_bytes_and_lines(tmp_path):
    path = tmp_path / 'sub' / 'out.bin'
    write_bytes_atomic(b'\x00\xffab', str(path))
    assert path.read_bytes() == b'\x00\xffab'
    write_lines_atomic(['1 a', 'b\u00e9'], str(path))
    assert path.read_bytes() == '1 a\nb\u00e9\n'.encode('utf-8')
    write_lines_atomic([], str(path))
    assert path.read_bytes() == b''
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in path.parent.iterdir()] == ['out.bin']
