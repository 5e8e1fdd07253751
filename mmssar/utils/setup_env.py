"""Registration helpers, as every OpenMMLab package provides them."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import MMAction2's and mmssar's modules so that they are registered.

    Args:
        init_default_scope (bool): Whether to set ``mmssar`` as the current
            default scope (a new uniquely named scope is created when another
            scope is current). Defaults to True.
    """
    from mmaction.utils import register_all_modules as mmaction_register_all
    mmaction_register_all(init_default_scope=False)

    import mmssar.datasets  # noqa: F401
    import mmssar.engine  # noqa: F401
    import mmssar.evaluation  # noqa: F401
    import mmssar.models  # noqa: F401

    if not init_default_scope:
        return
    never_created = (DefaultScope.get_current_instance() is None
                     or not DefaultScope.check_instance_created('mmssar'))
    if never_created:
        DefaultScope.get_instance('mmssar', scope_name='mmssar')
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope.scope_name != 'mmssar':
        warnings.warn('The current default scope '
                      f'"{current_scope.scope_name}" is not "mmssar", '
                      '`register_all_modules` will force the current '
                      'default scope to be "mmssar". If this is not '
                      'expected, please set `init_default_scope=False`.')
        new_instance_name = f'mmssar-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_instance_name, scope_name='mmssar')
