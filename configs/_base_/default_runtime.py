# MMAction2's runtime with the mmssar scope: unprefixed names resolve in
# mmssar, then mmaction, then mmengine.
_base_ = 'mmaction::_base_/default_runtime.py'

default_scope = 'mmssar'
custom_imports = dict(imports=['mmssar'], allow_failed_imports=False)
