"""Write files atomically: a temp file in the same folder, then rename."""
import json
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import Any, Iterable, Iterator


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str, suffix: str = '') -> Iterator[str]:
    """Yield a temporary path next to ``path``; rename it on success.

    On an exception the temporary file is removed and ``path`` is left
    untouched, so readers never see a half-written file. ``suffix`` lets
    writers that pick the format from the name (e.g. ``cv2.imwrite``) see
    the right extension. The file gets the permissions a plain ``open``
    would give (``mkstemp`` alone would leave it owner-only).
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix='.' + osp.basename(path) + '.',
        suffix=suffix + '.tmp',
        dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def dump_json_atomic(obj: Any, path: str, indent: int = 2) -> None:
    """``json.dump`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, 'w') as f:
            json.dump(obj, f, indent=indent)
            f.write('\n')


def write_bytes_atomic(data: bytes, path: str) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)


def write_lines_atomic(lines: Iterable[str], path: str) -> None:
    """Write ``lines`` to ``path`` atomically, UTF-8, each ended by
    ``\\n``."""
    write_bytes_atomic(''.join(f'{line}\n' for line in lines).encode('utf-8'),
                       path)
