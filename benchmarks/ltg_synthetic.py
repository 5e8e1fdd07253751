"""LTG on the synthetic motion set, where classes are defined by motion.

Rows: labeled-only, FixMatch, LTG, fully supervised — the quickstart tiny 3D
CNN, 20 labels per class, the same schedule — plus the cost of an LTG
iteration relative to a FixMatch iteration (median seconds per iteration in
the training logs; both runs on the same machine).

Example::

    python benchmarks/ltg_synthetic.py [--seeds 0 1 2]

Prints a table and ends with one line of ``key=value`` pairs.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import synthetic_rows  # noqa: E402

C = synthetic_rows.CONTROLS
ROWS = dict(
    labeled_only=C['labeled_only'],
    fixmatch=C['fixmatch'],
    ltg=('configs/ltg/ltg_tiny-slowonly_1500it_synthetic-20shot.py', []),
    full=C['full'])

if __name__ == '__main__':
    synthetic_rows.main(__doc__.splitlines()[0], ROWS,
                        compare=[('ltg', 'fixmatch')])
