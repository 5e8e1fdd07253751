"""Installation script of mmssar."""
import os
import os.path as osp

from setuptools import find_packages, setup


def get_version():
    ns = {}
    with open(osp.join(osp.dirname(__file__), 'mmssar', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


def mmcv_requirement():
    """mmcv-lite, unless the full mmcv (CUDA ops) is wanted.

    Both distributions install the same ``mmcv`` package, so requiring the
    lite one next to an installed full mmcv would overwrite it. Set
    ``MMSSAR_MMCV=full`` (pip's build isolation hides the installed packages
    from this script) to require ``mmcv>=2.1,<2.2`` instead.
    """
    if os.environ.get('MMSSAR_MMCV', 'lite') == 'full':
        return 'mmcv>=2.1.0,<2.2.0'
    return 'mmcv-lite==2.1.0'


def readme():
    with open(osp.join(osp.dirname(__file__), 'README.md'), encoding='utf-8') as f:
        return f.read()


setup(
    name='mmssar',
    version=get_version(),
    description='Semi-supervised action recognition toolbox for MMAction2',
    long_description=readme(),
    long_description_content_type='text/markdown',
    keywords='semi-supervised learning, action recognition, video, skeleton',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'benchmarks', 'docs')),
    include_package_data=True,
    python_requires='>=3.9',
    install_requires=[
        # A bounded range: an open-ended torch would resolve to a multi-GB CUDA
        # build where a CPU wheel is available locally; GPU users pick their own
        # build inside the range.
        'torch>=2.1,<2.14',
        'mmengine==0.10.7',
        # mmaction2 1.2.0 asserts mmcv<2.2.0; see mmcv_requirement()
        mmcv_requirement(),
        'mmaction2==1.2.0',
        'decord>=0.6.0',
        'numpy',
        'opencv-python',
        # imported by mmaction.utils.dependency but not declared by mmaction2
        'importlib_metadata',
        # imported by mmaction2 modules we touch (einops via models, scipy via datasets)
        'einops',
        'scipy',
        # tools/analysis/plot_ssl_curves.py (mmengine needs it as well)
        'matplotlib',
    ],
    extras_require={
        'tests': ['pytest'],
        # configs/_base_/vis_tensorboard.py
        'tensorboard': ['tensorboard'],
    },
    zip_safe=False,
)
