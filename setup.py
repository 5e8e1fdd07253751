"""Installation script of mmssar."""
import os.path as osp

from setuptools import find_packages, setup


def get_version():
    ns = {}
    with open(osp.join(osp.dirname(__file__), 'mmssar', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


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
        # mmaction2 1.2.0 asserts mmcv<2.2.0. `mmcv-lite` is pure Python; GPU
        # users who already have the full `mmcv==2.1.*` satisfy the same imports.
        'mmcv-lite==2.1.0; extra != "full"',
        'mmaction2==1.2.0',
        'decord>=0.6.0',
        'numpy',
        'opencv-python',
        # imported by mmaction.utils.dependency but not declared by mmaction2
        'importlib_metadata',
        # imported by mmaction2 modules we touch (einops via models, scipy via datasets)
        'einops',
        'scipy',
    ],
    extras_require={
        'tests': ['pytest', 'pytest-timeout'],
        'full': ['mmcv>=2.1.0,<2.2.0'],
    },
    zip_safe=False,
)
