"""MMSSAR registries: a child of every ``mmaction.registry`` node.

With ``default_scope='mmssar'`` a name is looked up here first, then in
MMAction2, then in MMEngine, so configs can mix mmssar and mmaction types
without prefixes, and inherited ``mmaction::`` configs (whose dicts carry
``_scope_='mmaction'``) keep resolving in MMAction2.

Every node of MMAction2 must be mirrored: a missing child makes the scope
search fall back to the MMEngine root, where MMAction2 types are unknown.
"""
from mmaction import registry as mmaction_registry
from mmengine.registry import Registry

# Child lookups do not trigger the parent's lazy imports, so each child
# imports the parent's modules too (all but FUNCTION's, whose upstream
# location ``mmaction.mmengine`` does not exist).
_OWN_LOCATIONS = {
    'RUNNERS': ['mmssar.engine'],
    'RUNNER_CONSTRUCTORS': ['mmssar.engine'],
    'LOOPS': ['mmssar.engine'],
    'HOOKS': ['mmssar.engine'],
    'DATASETS': ['mmssar.datasets'],
    'DATA_SAMPLERS': ['mmssar.datasets'],
    'TRANSFORMS': ['mmssar.datasets'],
    'MODELS': ['mmssar.models'],
    'MODEL_WRAPPERS': ['mmssar.models'],
    'WEIGHT_INITIALIZERS': ['mmssar.models'],
    'OPTIMIZERS': ['mmssar.engine'],
    'OPTIM_WRAPPERS': ['mmssar.engine'],
    'OPTIM_WRAPPER_CONSTRUCTORS': ['mmssar.engine'],
    'PARAM_SCHEDULERS': ['mmssar.engine'],
    'METRICS': ['mmssar.evaluation'],
    'EVALUATOR': ['mmssar.evaluation'],
    'TASK_UTILS': ['mmssar.models'],
    'VISUALIZERS': ['mmssar.engine'],
    'VISBACKENDS': ['mmssar.engine'],
    'LOG_PROCESSORS': ['mmssar.engine'],
    'INFERENCERS': ['mmssar.engine'],
    'FUNCTION': ['mmssar.engine'],
}


def _child(node: str) -> Registry:
    parent = getattr(mmaction_registry, node)
    parent_locations = [
        loc for loc in parent._locations if loc != 'mmaction.mmengine'
    ]
    return Registry(
        parent.name,
        parent=parent,
        scope='mmssar',
        locations=parent_locations + _OWN_LOCATIONS[node])


RUNNERS = _child('RUNNERS')
RUNNER_CONSTRUCTORS = _child('RUNNER_CONSTRUCTORS')
LOOPS = _child('LOOPS')
HOOKS = _child('HOOKS')
DATASETS = _child('DATASETS')
DATA_SAMPLERS = _child('DATA_SAMPLERS')
TRANSFORMS = _child('TRANSFORMS')
MODELS = _child('MODELS')
MODEL_WRAPPERS = _child('MODEL_WRAPPERS')
WEIGHT_INITIALIZERS = _child('WEIGHT_INITIALIZERS')
OPTIMIZERS = _child('OPTIMIZERS')
OPTIM_WRAPPERS = _child('OPTIM_WRAPPERS')
OPTIM_WRAPPER_CONSTRUCTORS = _child('OPTIM_WRAPPER_CONSTRUCTORS')
PARAM_SCHEDULERS = _child('PARAM_SCHEDULERS')
METRICS = _child('METRICS')
EVALUATOR = _child('EVALUATOR')
TASK_UTILS = _child('TASK_UTILS')
VISUALIZERS = _child('VISUALIZERS')
VISBACKENDS = _child('VISBACKENDS')
LOG_PROCESSORS = _child('LOG_PROCESSORS')
INFERENCERS = _child('INFERENCERS')
FUNCTION = _child('FUNCTION')

__all__ = list(_OWN_LOCATIONS)
