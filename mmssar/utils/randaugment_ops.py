"""RandAugment op tables shared by the pipeline and the batched versions.

:class:`mmssar.datasets.transforms.VideoRandAugment` (numpy / cv2, in the
data pipeline) and
:class:`mmssar.models.data_preprocessors.BatchVideoRandAugment` (torch, on
collated batches) implement the same augmentation family. The op names, the
magnitude -> parameter mapping, the presets and the small helpers both need
live here, in a module that neither the datasets nor the models layer owns.
"""
import math
from typing import Dict, Sequence, Tuple

import numpy as np

#: The default op set, in the order of the RandAugment paper's list.
RANDAUG_OPS: Tuple[str, ...] = (
    'Identity', 'AutoContrast', 'Equalize', 'Rotate', 'Solarize', 'Color',
    'Posterize', 'Contrast', 'Brightness', 'Sharpness', 'ShearX', 'ShearY',
    'TranslateX', 'TranslateY')

#: Ops outside the default set (the imgaug RandAugment of MMAction2's
#: ``Imgaug(transforms='default')`` has both).
EXTRA_OPS: Tuple[str, ...] = ('Invert', 'Cutout')

ALL_OPS: Tuple[str, ...] = RANDAUG_OPS + EXTRA_OPS

GEOMETRIC_OPS = ('Rotate', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY')
# Ops whose parameter is a signed deviation from the identity; the sign is
# drawn at random so that e.g. shear goes both ways.
SIGNED_OPS = GEOMETRIC_OPS + ('Color', 'Contrast', 'Brightness', 'Sharpness')

#: Parameter of each op at the maximum magnitude 10 (torchvision / timm
#: RandAugment ranges): degrees, shear factor, fraction of the image side,
#: enhancement deviation, bits removed, fraction of the solarize range,
#: cutout side as a fraction of the image height.
MAX_LEVELS: Dict[str, float] = dict(
    Rotate=30.0,
    ShearX=0.3,
    ShearY=0.3,
    TranslateX=0.45,
    TranslateY=0.45,
    Color=0.9,
    Contrast=0.9,
    Brightness=0.9,
    Sharpness=0.9,
    Posterize=4.0,
    Solarize=1.0,
    Cutout=0.2)

MAX_MAGNITUDE = 10.0

#: ITU-R 601 luma weights, as in PIL's convert('L'), RGB order.
LUMA_RGB = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# LTG's strong augmentation is MMAction2 0.x's ``Imgaug('default')``:
# imgaug ``SomeOf(2, [...])`` over 15 augmenters at RandAugment level
# 9 / 10, two distinct augmenters applied in list order, one draw per clip.
_LTG_LEVEL = 9 / 10
#: Named settings of ``VideoRandAugment(preset=...)``; see its docstring.
#: Levels use the units of :data:`MAX_LEVELS`.
RANDAUG_PRESETS: Dict[str, dict] = dict(
    ltg_imgaug=dict(
        num_ops=2,
        distinct=True,
        ordered=True,
        ops=('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate',
             'Posterize', 'Solarize', 'Color', 'Contrast', 'Brightness',
             'Sharpness', 'AutoContrast', 'Equalize', 'Invert', 'Cutout'),
        levels=dict(
            # imgaug shear 17.19 * 0.9 = 15.47 degrees
            ShearX=math.tan(math.radians(17.19 * _LTG_LEVEL)),
            ShearY=math.tan(math.radians(17.19 * _LTG_LEVEL)),
            # translate 0.2 * 0.9 = 18 % of the side
            TranslateX=0.2 * _LTG_LEVEL,
            TranslateY=0.2 * _LTG_LEVEL,
            Rotate=30. * _LTG_LEVEL,
            # imgaug keeps int(4 * 0.9) = 3 bits: 5 removed
            Posterize=8. - max(1, int(4 * _LTG_LEVEL)),
            # threshold 256 * 0.9 = 230.4; imgaug's uint8 look-up table
            # inverts values >= int(230.4) = 230, i.e. the top 26 / 256
            Solarize=(256 - int(256 * _LTG_LEVEL)) / 256.,
            # enhance factor 1.8 * 0.9 + 0.1 = 1.72, always above 1
            Color=1.8 * _LTG_LEVEL + .1 - 1.,
            Contrast=1.8 * _LTG_LEVEL + .1 - 1.,
            Brightness=1.8 * _LTG_LEVEL + .1 - 1.,
            Sharpness=1.8 * _LTG_LEVEL + .1 - 1.,
            # a square of 0.2 * 0.9 = 18 % of the height
            Cutout=0.2 * _LTG_LEVEL),
        # imgaug fixes these signs once per worker; here once per clip
        signed_ops=GEOMETRIC_OPS,
        # imgaug's affine ops fill with 0, its Cutout with 128
        fill=0,
        cutout_fill=128))


def check_ops(ops: Sequence[str]) -> Tuple[str, ...]:
    """Validate an op list and return it as a tuple."""
    ops = tuple(ops)
    if len(ops) == 0:
        raise ValueError('RandAugment: `ops` must not be empty')
    unknown = [op for op in ops if op not in ALL_OPS]
    if unknown:
        raise ValueError(f'RandAugment: unknown ops {unknown}; '
                         f'choose from {list(ALL_OPS)}')
    return ops


def op_level(op: str, magnitude: float) -> float:
    """Unsigned parameter of ``op`` at ``magnitude`` (0-10 scale).

    Magnitude 0 is the identity for every op that has a magnitude.

    Returns:
        float: degrees (Rotate), shear factor (Shear*), fraction of the
        image side (Translate*), enhancement deviation from 1 (Color,
        Contrast, Brightness, Sharpness), number of bits removed
        (Posterize, an integer), fraction of the value range that is
        inverted (Solarize) or side of the cutout square as a fraction of
        the height (Cutout). 0 for ops without magnitude.
    """
    if op not in MAX_LEVELS:
        return 0.0
    frac = min(max(float(magnitude), 0.0), MAX_MAGNITUDE) / MAX_MAGNITUDE
    level = MAX_LEVELS[op] * frac
    if op == 'Posterize':
        level = float(round(level))
    return level


def centred_affine(op: str, value: float, height: int,
                   width: int) -> np.ndarray:
    """Forward 2x3 affine map of a geometric op about the image centre.

    Args:
        op (str): One of :data:`GEOMETRIC_OPS`.
        value (float): Signed op parameter (:func:`op_level` times sign).
        height (int): Image height H.
        width (int): Image width W.

    Returns:
        np.ndarray: (2, 3) float64 matrix ``A`` mapping a source point
        ``p`` (pixel units, origin at the image centre, y down) to its
        destination ``A[:, :2] @ p + A[:, 2]``. Translations are whole
        pixels so a translated clip is an exact shift.
    """
    mat = np.zeros((2, 3), dtype=np.float64)
    mat[:, :2] = np.eye(2)
    if op == 'Rotate':
        # Positive angle turns the picture counter-clockwise on screen.
        rad = np.deg2rad(value)
        cos, sin = np.cos(rad), np.sin(rad)
        mat[:, :2] = [[cos, sin], [-sin, cos]]
    elif op == 'ShearX':
        mat[0, 1] = value
    elif op == 'ShearY':
        mat[1, 0] = value
    elif op == 'TranslateX':
        mat[0, 2] = round(value * width)
    elif op == 'TranslateY':
        mat[1, 2] = round(value * height)
    else:
        raise ValueError(f'{op} is not a geometric op')
    return mat


def equalize_lut(hist: np.ndarray) -> np.ndarray:
    """PIL-style histogram-equalisation look-up table.

    Args:
        hist (np.ndarray): (..., 256) integer histograms.

    Returns:
        np.ndarray: (..., 256) uint8 LUTs; identity where the histogram
        has a single non-empty bin.
    """
    hist = hist.astype(np.int64)
    nonzero = hist > 0
    last_idx = 255 - np.argmax(nonzero[..., ::-1], axis=-1)
    last = np.take_along_axis(hist, last_idx[..., None], -1)[..., 0]
    step = (hist.sum(-1) - last) // 255
    cum_excl = np.cumsum(hist, -1) - hist
    safe_step = np.maximum(step, 1)[..., None]
    lut = (cum_excl + safe_step // 2) // safe_step
    identity = np.broadcast_to(np.arange(256), lut.shape)
    lut = np.where((step > 0)[..., None], lut, identity)
    return np.clip(lut, 0, 255).astype(np.uint8)
