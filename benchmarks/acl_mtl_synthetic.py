"""ACL + MTL on the synthetic motion set: FixMatch vs ACL+MTL vs ACL only vs
MTL only.

Same tiny 3D CNN, 20 labels per class, 1,500 CPU iterations for every row.
The FixMatch control is the quickstart FixMatch config (shared with the
other benchmarks); the ablations are the tiny ACL+MTL config with
``model.mtl=None`` (ACL only) or ``model.acl=None`` (MTL only) — with both
off the recognizer is FixMatch on the same two-scale data.

Example::

    python benchmarks/acl_mtl_synthetic.py [--seeds 0 1 2]

Prints a table and ends with one line of ``key=value`` pairs (top-1 % of
the EMA teacher).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import synthetic_rows  # noqa: E402

TINY = 'configs/acl_mtl/acl-mtl_tiny-slowonly_1500it_synthetic-20shot.py'
ROWS = dict(
    **synthetic_rows.CONTROLS,
    acl_mtl=(TINY, []),
    acl_only=(TINY, ['model.mtl=None']),
    mtl_only=(TINY, ['model.acl=None']),
    acl_mtl_fixmatch=(TINY, ['model.acl=None', 'model.mtl=None']))

if __name__ == '__main__':
    synthetic_rows.main(
        __doc__.splitlines()[0], ROWS,
        compare=[(row, 'fixmatch') for row in
                 ('acl_mtl', 'acl_only', 'mtl_only', 'acl_mtl_fixmatch')])
