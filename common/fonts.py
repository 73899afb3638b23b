"""Finding an installed CJK font for images drawn with Pillow (demo pictures, posters).

Nothing is downloaded: Debian's fonts-noto-cjk (or whatever ``fc-list :lang=zh`` finds)
is used when present; callers draw without text when there is none.
"""

import functools
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def _fc_list_fonts() -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        # Fixed arguments, no user input.
        out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True,  # noqa: S603
                             timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


def _simplified_chinese_index(path: str) -> int:
    """A .ttc holds several faces (JP, KR, SC, ...): pick the Simplified Chinese one."""
    for index in range(10):
        try:
            name = ImageFont.truetype(path, 12, index=index).getname()[0] or ""
        except OSError:
            break
        if "SC" in name.split() or "CN" in name:
            return index
    return 0


@functools.cache
def cjk_font() -> tuple[str, int] | None:
    """(path, face index) of an installed CJK font, or None."""
    for path in [*FONT_CANDIDATES, *_fc_list_fonts()]:
        if Path(path).is_file():
            return path, _simplified_chinese_index(path)
    return None
