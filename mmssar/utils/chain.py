"""Stage chains: several training configs (and tool commands) run in order,
a later stage initialised from an earlier stage's checkpoint.

A chain config is an MMEngine config file with one variable, ``stages``::

    stages = [
        dict(name='pretrain', config='./pretrain.py'),
        dict(name='linear', config='./linear.py',
             init_from=dict(stage='pretrain', checkpoint='last',
                            prefix='backbone.')),
        dict(name='knn', command=['{python}', 'tools/misc/knn_eval.py',
                                  '{config:linear}', '--checkpoint',
                                  '{checkpoint:pretrain}']),
    ]

The format, the placeholders, how initialisation works and what is skipped
or resumed are documented in ``docs/stage_chains.md``. ``tools/run_chain.py``
is the command line; everything it does lives here so that it can be
imported and tested.
"""
import glob
import hashlib
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

#: written into a stage's work dir only after the stage succeeded
DONE_FILE = 'chain_done.json'
#: written into a stage's work dir when the stage starts
SPEC_FILE = 'chain_stage.json'
LAUNCHERS = ('none', 'pytorch', 'slurm')
STAGE_KEYS = ('name', 'config', 'command', 'init_from', 'cfg_options', 'env',
              'launcher', 'gpus')
INIT_KEYS = ('stage', 'checkpoint', 'prefix', 'target')
_PLACEHOLDER = re.compile(r'\{([a-z_]+)(?::([^{}:]+))?(?::([^{}:]+))?\}')
_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]*$')


class ChainError(ValueError):
    """A chain config or a chain's work dir is not usable as it is."""


@dataclass
class InitFrom:
    """Which checkpoint of which earlier stage initialises a stage.

    Attributes:
        stage (str): Name of an earlier stage.
        checkpoint (str): ``'last'`` (the checkpoint MMEngine's
            ``last_checkpoint`` file names), ``'best'`` (the single
            ``best_*.pth`` of the stage) or a file name / glob pattern in
            the stage's work dir that matches exactly one file.
        prefix (str): Only state-dict keys starting with it are kept
            (``'backbone.'``: the encoder of a recognizer or of
            ``SCDNetPretrainer``); ``''`` keeps every key.
        target (str, optional): Replaces ``prefix`` in the kept keys
            (default: ``prefix``, i.e. the keys are kept as they are).
    """
    stage: str
    checkpoint: str = 'last'
    prefix: str = ''
    target: Optional[str] = None

    @property
    def target_prefix(self) -> str:
        return self.prefix if self.target is None else self.target


@dataclass
class Stage:
    """One stage of a chain: a training config or a command.

    Attributes:
        name (str): Unique name; also the stage's work-dir name.
        config (str, optional): Training config (absolute path).
        command (list[str], optional): A command run in the project root,
            with placeholders (see :func:`expand`).
        init_from (InitFrom, optional): Initialisation from an earlier
            stage.
        cfg_options (dict): ``--cfg-options`` of the stage (dotted keys or
            nested dicts).
        env (dict): Extra environment variables of the stage's process.
        launcher (str, optional): Overrides the chain's launcher.
        gpus (int, optional): Overrides the chain's number of GPUs.
        spec (dict): The stage as written in the chain config (what a done
            marker records).
    """
    name: str
    config: Optional[str] = None
    command: Optional[List[str]] = None
    init_from: Optional[InitFrom] = None
    cfg_options: dict = field(default_factory=dict)
    env: Dict[str, str] = field(default_factory=dict)
    launcher: Optional[str] = None
    gpus: Optional[int] = None
    spec: dict = field(default_factory=dict)

    def _referenced(self, kinds: Sequence[str]) -> List[str]:
        names = [self.init_from.stage] if self.init_from else []
        for text in _strings(self.command or []) + _strings(self.cfg_options):
            for match in _PLACEHOLDER.finditer(text):
                if match.group(1) in kinds and match.group(2):
                    names.append(match.group(2))
        return list(dict.fromkeys(names))

    @property
    def depends_on(self) -> List[str]:
        """Names of the stages whose results this stage reads (its
        ``init_from`` and ``{checkpoint:..}`` / ``{work_dir:..}``)."""
        return self._referenced(('checkpoint', 'work_dir'))

    @property
    def references(self) -> List[str]:
        """Every stage this stage names (also ``{config:..}``)."""
        return self._referenced(('checkpoint', 'work_dir', 'config'))


def _strings(value) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def to_plain(value, keep_tuples: bool = False):
    """ConfigDicts as dicts and sequences as lists, recursively (for JSON and
    ``repr``); ``keep_tuples=True`` leaves tuples tuples (for configs written
    as literals, where e.g. a ``scale`` must stay a tuple)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v, keep_tuples) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        out = [to_plain(v, keep_tuples) for v in value]
        return tuple(out) if keep_tuples and isinstance(value, tuple) else out
    return value


_plain = to_plain


def parse_stages(stages, source: str = '<chain>') -> List[Stage]:
    """Validate a ``stages`` list and resolve its config paths.

    Args:
        stages (list[dict]): The ``stages`` variable of a chain config.
        source (str): The chain config file; relative ``config`` paths are
            resolved against its folder (as MMEngine resolves ``_base_``),
            and errors name it.

    Returns:
        list[Stage]
    """
    base_dir = osp.dirname(osp.abspath(source))
    if not isinstance(stages, (list, tuple)) or not stages:
        raise ChainError(f'{source}: `stages` must be a non-empty list of '
                         f'dicts, got {stages!r}')
    out: List[Stage] = []
    for i, raw in enumerate(stages):
        where = f'{source}: stages[{i}]'
        if not isinstance(raw, dict):
            raise ChainError(f'{where} must be a dict, got {raw!r}')
        raw = _plain(raw)
        unknown = sorted(set(raw) - set(STAGE_KEYS))
        if unknown:
            raise ChainError(f'{where}: unknown keys {unknown}; valid keys: '
                             f'{list(STAGE_KEYS)}')
        name = raw.get('name')
        if not isinstance(name, str) or not _NAME.match(name):
            raise ChainError(f'{where}: `name` must be a non-empty name of '
                             f'letters, digits, "_", "-", ".", got {name!r}')
        where = f'{source}: stage {name!r}'
        if any(s.name == name for s in out):
            raise ChainError(f'{where}: the name is used twice')
        if ('config' in raw) == ('command' in raw):
            raise ChainError(f'{where}: give exactly one of `config` (a '
                             f'training config) and `command` (a list of '
                             f'arguments)')
        config = raw.get('config')
        if config is not None:
            config = osp.normpath(osp.join(base_dir, config))
            if not osp.isfile(config):
                raise ChainError(f'{where}: config {raw["config"]!r} not '
                                 f'found (looked for {config})')
        command = raw.get('command')
        if command is not None and (
                not isinstance(command, list) or not command
                or not all(isinstance(a, (str, int, float)) for a in command)):
            raise ChainError(f'{where}: `command` must be a non-empty list '
                             f'of strings, got {command!r}')
        init = raw.get('init_from')
        if init is not None:
            if isinstance(init, str):
                init = dict(stage=init)
            if not isinstance(init, dict):
                raise ChainError(f'{where}: `init_from` must be a dict '
                                 f'(keys {list(INIT_KEYS)}), got {init!r}')
            bad = sorted(set(init) - set(INIT_KEYS))
            if bad or 'stage' not in init:
                raise ChainError(f'{where}: `init_from` needs `stage` and '
                                 f'accepts {list(INIT_KEYS)}; got keys '
                                 f'{sorted(init)}')
            init = InitFrom(**init)
        options = raw.get('cfg_options') or {}
        if not isinstance(options, dict):
            raise ChainError(f'{where}: `cfg_options` must be a dict, got '
                             f'{options!r}')
        env = raw.get('env') or {}
        if not isinstance(env, dict):
            raise ChainError(f'{where}: `env` must be a dict, got {env!r}')
        launcher = raw.get('launcher')
        if launcher is not None and launcher not in LAUNCHERS:
            raise ChainError(f'{where}: launcher must be one of {LAUNCHERS}, '
                             f'got {launcher!r}')
        gpus = raw.get('gpus')
        if gpus is not None and (not isinstance(gpus, int) or gpus < 1):
            raise ChainError(f'{where}: `gpus` must be a positive integer, '
                             f'got {gpus!r}')
        stage = Stage(
            name=name,
            config=config,
            command=None if command is None else [str(a) for a in command],
            init_from=init,
            cfg_options=options,
            env={str(k): str(v)
                 for k, v in env.items()},
            launcher=launcher,
            gpus=gpus,
            spec=raw)
        for dep in stage.references:
            if not any(s.name == dep for s in out):
                raise ChainError(f'{where}: reads from stage {dep!r}, which '
                                 f'is not an earlier stage of the chain')
        flatten_options(options, where)  # fail early on inexpressible ones
        out.append(stage)
    return out


_CHAIN_VAR = re.compile(r'\$\{(\w+)\}')


def substitute_chain_vars(value, variables: dict, where: str):
    """Replace ``${name}`` in the strings of ``value`` by ``variables``.

    A string that is exactly ``${name}`` becomes the variable's value as it
    is (an int stays an int); inside a longer string it is formatted. This
    is what lets one chain config serve several settings: a leaf inherits
    it and overrides only ``chain_vars`` (MMEngine merges that dict, while a
    ``stages`` list would be replaced whole).
    """

    def lookup(name):
        if name not in variables:
            raise ChainError(f'{where}: ${{{name}}} is not in chain_vars '
                             f'({sorted(variables)})')
        return variables[name]

    if isinstance(value, str):
        whole = _CHAIN_VAR.fullmatch(value)
        if whole:
            return lookup(whole.group(1))
        return _CHAIN_VAR.sub(lambda m: str(lookup(m.group(1))), value)
    if isinstance(value, dict):
        return {k: substitute_chain_vars(v, variables, where)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(
            substitute_chain_vars(v, variables, where) for v in value)
    return value


def load_chain(path: str) -> List[Stage]:
    """The stages of a chain config file (``${name}`` taken from its
    ``chain_vars`` dict, see :func:`substitute_chain_vars`)."""
    from mmengine.config import Config
    if not osp.isfile(path):
        raise ChainError(f'chain config {path} not found')
    cfg = Config.fromfile(path)
    if 'stages' not in cfg:
        raise ChainError(f'{path}: a chain config defines `stages = [...]`; '
                         f'this one has the keys {sorted(cfg.keys())} (is it '
                         f'a training config? run it with tools/train.py)')
    variables = dict(cfg.get('chain_vars', None) or {})
    stages = substitute_chain_vars(_plain(cfg.stages), variables, path)
    return parse_stages(stages, path)


# ------------------------------------------------------------ checkpoints
def find_checkpoint(work_dir: str, which: str = 'last') -> str:
    """A checkpoint of a finished or interrupted run.

    Args:
        work_dir (str): The run's work dir.
        which (str): ``'last'``: the file MMEngine's ``last_checkpoint``
            names (looked up in ``work_dir``, so a moved work dir still
            works); ``'best'``: the single ``best_*.pth`` (MMEngine's
            ``save_best``); anything else: a file name or glob pattern
            that matches exactly one file in ``work_dir``.

    Returns:
        str: Path of the checkpoint.
    """
    if which == 'last':
        pointer = osp.join(work_dir, 'last_checkpoint')
        if not osp.isfile(pointer):
            raise ChainError(f'{work_dir}: no `last_checkpoint` file (the '
                             f'run saved no checkpoint)')
        with open(pointer) as f:
            name = osp.basename(f.read().strip())
        path = osp.join(work_dir, name)
        if not osp.isfile(path):
            raise ChainError(f'{pointer} names {name}, which is not in '
                             f'{work_dir}')
        return path
    pattern = 'best_*.pth' if which == 'best' else which
    found = sorted(glob.glob(osp.join(work_dir, pattern)))
    if len(found) != 1:
        hint = (' (does the config set default_hooks.checkpoint.save_best?)'
                if which == 'best' else '')
        raise ChainError(f'{work_dir}: checkpoint {which!r} must match '
                         f'exactly one file, matched '
                         f'{[osp.basename(p) for p in found]}{hint}; name '
                         f'one, e.g. checkpoint="best_acc_top1_iter_*.pth"')
    return found[0]


def select_prefix(state_dict: dict, prefix: str,
                  target: Optional[str] = None) -> dict:
    """Keys of ``state_dict`` that start with ``prefix``, renamed to start
    with ``target`` instead (default: unchanged).

    Raises:
        ChainError: when no key starts with ``prefix`` (the message lists
            the top-level names that exist).
    """
    target = prefix if target is None else target
    out = {
        target + key[len(prefix):]: value
        for key, value in state_dict.items() if key.startswith(prefix)
    }
    if not out:
        tops = sorted({k.split('.')[0] + '.' for k in state_dict})
        raise ChainError(f'no key starts with {prefix!r}; the checkpoint '
                         f'has {tops}')
    return out


def write_init_checkpoint(src: str, dst: str, prefix: str = '',
                          target: Optional[str] = None) -> int:
    """Write the ``prefix`` part of checkpoint ``src`` (renamed to
    ``target``) as ``{'state_dict': ..., 'meta': ...}`` to ``dst``, a file
    MMEngine's ``load_from`` loads like any checkpoint.

    Returns:
        int: Number of tensors written.
    """
    import torch
    from mmengine.runner.checkpoint import _load_checkpoint
    ckpt = _load_checkpoint(src, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    try:
        state = select_prefix(state, prefix, target)
    except ChainError as e:
        raise ChainError(f'{src}: {e}') from None
    meta = dict(source=osp.abspath(src), prefix=prefix,
                target=prefix if target is None else target)
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(dict(state_dict=state, meta=meta), dst)
    return len(state)


def check_init(config: str, options: dict, init_path: str) -> None:
    """Build the model of a training config and load ``init_path`` into it
    the way ``load_from`` will (``strict=False``, through the model's own
    ``_load_from_state_dict``, so an SSL wrapper maps plain recognizer keys
    onto its student and teacher).

    Raises:
        ChainError: when a key of the init checkpoint has no place in the
            model (a wrong ``prefix`` / ``target``) or a shape differs.
    """
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    import mmssar  # noqa: F401
    from mmssar.registry import MODELS
    cfg = Config.fromfile(config)
    if options:
        cfg.merge_from_dict(options)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmssar')):
        model = MODELS.build(cfg.model)
    state = torch.load(init_path, map_location='cpu',
                       weights_only=False)['state_dict']
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as e:
        raise ChainError(f'{init_path} does not fit the model of {config}: '
                         f'{e}') from None
    if result.unexpected_keys:
        keys = result.unexpected_keys
        raise ChainError(f'{init_path}: {len(keys)} keys have no place in '
                         f'the model of {config}, e.g. {keys[:3]}; fix '
                         f'init_from.prefix / init_from.target')


# ---------------------------------------------------------------- options
def _option_value(value, where: str, key: str) -> str:
    """``value`` as MMEngine's ``DictAction`` reads it back."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str):
        if not value or any(c in value for c in ',[]()"\'') or value in (
                'None', 'True', 'False'):
            raise ChainError(f'{where}: cfg_options[{key!r}] = {value!r} '
                             f'cannot pass through --cfg-options (empty, '
                             f'a keyword, or it contains , [ ] ( ) or '
                             f'quotes); set it in a config file instead')
        return value
    if isinstance(value, (list, tuple)):
        inner = ','.join(_option_value(v, where, key) for v in value)
        return f'[{inner}]' if isinstance(value, list) else f'({inner})'
    raise ChainError(f'{where}: cfg_options[{key!r}] = {value!r}: only '
                     f'numbers, strings, None, booleans and lists of them '
                     f'pass through --cfg-options')


def flatten_options(options: dict, where: str = 'cfg_options') -> List[str]:
    """``{'a': {'b': 1}, 'c.d': [1, 2]}`` -> ``['a.b=1', 'c.d=[1,2]']``:
    the ``--cfg-options`` arguments of a nested / dotted dict."""
    out = []

    def walk(prefix, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f'{prefix}.{k}' if prefix else str(k), v)
        else:
            out.append(f'{prefix}={_option_value(value, where, prefix)}')

    walk('', _plain(options))
    return out


def expand(text: str, values: Callable[[str, Optional[str], Optional[str]],
                                       str], where: str) -> str:
    """Replace the placeholders of ``text`` by ``values(kind, stage,
    which)``; an unknown placeholder is an error naming ``where``."""

    def sub(match):
        return values(match.group(1), match.group(2), match.group(3))

    try:
        return _PLACEHOLDER.sub(sub, text)
    except ChainError as e:
        raise ChainError(f'{where}: {e}') from None


# ----------------------------------------------------------------- runner
def spec_key(stage: Stage, global_options: Sequence[str]) -> str:
    """A digest of what decides a stage's result (its spec as written and
    the chain-wide options)."""
    text = json.dumps(dict(spec=stage.spec, options=list(global_options)),
                      sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


class ChainRunner:
    """Runs the stages of a chain in order, each in its own process.

    Args:
        stages (list[Stage]): From :func:`load_chain`.
        work_dir (str): The chain's work dir; stage ``NAME`` works in
            ``work_dir/NAME``.
        launcher (str): ``'none'`` (``tools/train.py``), ``'pytorch'``
            (``tools/dist_train.sh CONFIG GPUS``) or ``'slurm'``
            (``tools/slurm_train.sh PARTITION JOB CONFIG``, ``GPUS`` in the
            environment). Command stages always run directly.
        gpus (int): Processes per distributed stage.
        partition (str, optional): Slurm partition (launcher ``'slurm'``).
        cfg_options (list[str]): ``key=value`` overrides added after a
            training stage's own ``cfg_options``: to every training stage,
            or, written ``STAGE:key=value``, to stage ``STAGE`` only. A
            command argument ``'{cfg_options}'`` becomes ``--cfg-options``
            and the overrides of that stage (nothing when there are none).
        python (str): Interpreter of the stage processes.
        root (str): Project root: working directory of every process.
        check_init (bool): Check that an init checkpoint fits the model of
            the stage before starting it (:func:`check_init`).
        env (dict, optional): Environment variables of every stage process
            (a stage's own ``env`` wins).
        log (callable): Progress messages.
    """

    def __init__(self,
                 stages: List[Stage],
                 work_dir: str,
                 launcher: str = 'none',
                 gpus: int = 1,
                 partition: Optional[str] = None,
                 cfg_options: Sequence[str] = (),
                 python: str = sys.executable,
                 root: str = ROOT,
                 check_init: bool = True,
                 env: Optional[Dict[str, str]] = None,
                 log: Callable[[str], None] = print) -> None:
        if launcher not in LAUNCHERS:
            raise ChainError(f'launcher must be one of {LAUNCHERS}, got '
                             f'{launcher!r}')
        self.stages = stages
        self.by_name = {s.name: s for s in stages}
        self.work_dir = osp.abspath(work_dir)
        self.launcher = launcher
        self.gpus = gpus
        self.partition = partition
        self.cfg_options: List[str] = []
        self.stage_cfg_options: Dict[str, List[str]] = {}
        for option in cfg_options:
            head = option.split('=', 1)[0]
            if ':' not in head:
                self.cfg_options.append(option)
                continue
            name, option = option.split(':', 1)
            if name not in self.by_name:
                raise ChainError(f'cfg option {name}:{option} names no stage '
                                 f'of the chain {list(self.by_name)}')
            self.stage_cfg_options.setdefault(name, []).append(option)
        self.python = python
        self.root = root
        self.check = check_init
        self.env = dict(env or {})
        self.log = log

    # ----------------------------------------------------------- state
    def stage_dir(self, name: str) -> str:
        return osp.join(self.work_dir, name)

    def _read(self, name: str, fname: str) -> Optional[dict]:
        path = osp.join(self.stage_dir(name), fname)
        if not osp.isfile(path):
            return None
        with open(path) as f:
            return json.load(f)

    def state(self, stage: Stage) -> str:
        """``'done'``, ``'partial'`` (started, a checkpoint exists, not
        done) or ``'pending'``."""
        if self._read(stage.name, DONE_FILE) is not None:
            return 'done'
        if stage.config and osp.isfile(
                osp.join(self.stage_dir(stage.name), 'last_checkpoint')):
            return 'partial'
        return 'pending'

    def _check_spec(self, stage: Stage, fname: str) -> None:
        record = self._read(stage.name, fname)
        key = spec_key(stage, self.extra_options(stage))
        if record is not None and record.get('key') != key:
            raise ChainError(
                f'stage {stage.name!r}: {self.stage_dir(stage.name)} holds a '
                f'run of another spec ({record.get("spec")}, options '
                f'{record.get("options")}); rerun it with --restart '
                f'{stage.name} or use another --work-dir')

    def _check_config(self, stage: Stage) -> None:
        """A finished training stage must have run the config as it
        resolves now: the spec names the config file, not its content, so
        an edit of the file or of a base would otherwise be skipped over
        silently (``mmssar.utils.experiment.config_changed``; ``load_from``
        is left out: the init checkpoint is pinned by the spec, and a
        resumed run records another)."""
        if not stage.config:
            return
        from .experiment import config_changed
        init = None
        if stage.init_from is not None:
            if self.state(self.by_name[stage.init_from.stage]) != 'done':
                return  # its input was restarted: reported when it runs
            init = self.init_checkpoint(stage, write=False)
        stale = config_changed(stage.config, self.stage_dir(stage.name),
                               self.stage_options(stage, init),
                               env={**self.env, **stage.env},
                               ignore=('load_from', ))
        if stale is not None:
            raise ChainError(
                f'stage {stage.name!r}: {self.stage_dir(stage.name)} holds a '
                f'run of another config ({stale}); rerun it with --restart '
                f'{stage.name} (its dependents follow) or use another '
                '--work-dir')

    def dependents(self, names: Sequence[str]) -> List[str]:
        """``names`` and every stage that reads from them, transitively."""
        out = set(names)
        for stage in self.stages:
            if out & set(stage.depends_on):
                out.add(stage.name)
        return [s.name for s in self.stages if s.name in out]

    def restart(self, names: Sequence[str]) -> List[str]:
        """Move the work dirs of ``names`` and their dependents aside
        (renamed ``NAME.old-<time>``, nothing is deleted), so they run
        from scratch. Returns the restarted stage names."""
        unknown = [n for n in names if n not in self.by_name]
        if unknown:
            raise ChainError(f'unknown stages {unknown}; the chain has '
                             f'{list(self.by_name)}')
        names = self.dependents(names)
        stamp = time.strftime('%Y%m%d_%H%M%S')
        for name in names:
            path = self.stage_dir(name)
            if osp.exists(path):
                os.rename(path, f'{path}.old-{stamp}')
                self.log(f'[chain] {name}: old work dir moved to '
                         f'{path}.old-{stamp}')
        return names

    # ------------------------------------------------------ references
    def checkpoint(self, name: str, which: Optional[str] = None) -> str:
        if self.state(self.by_name[name]) != 'done':
            raise ChainError(f'stage {name!r} has not finished')
        return find_checkpoint(self.stage_dir(name), which or 'last')

    def _values(self, stage: Stage, init: Optional[str]):

        def values(kind, ref, which):
            if kind == 'python' and ref is None:
                return self.python
            if kind == 'root' and ref is None:
                return self.root
            if kind == 'work_dir':
                return self.stage_dir(ref or stage.name)
            if kind == 'init' and ref is None:
                if init is None:
                    raise ChainError('{init} needs `init_from`')
                return init
            if kind == 'config' and ref:
                config = self.by_name[ref].config
                if config is None:
                    raise ChainError(f'stage {ref!r} has no config')
                return config
            if kind == 'checkpoint' and ref:
                return self.checkpoint(ref, which)
            raise ChainError(
                f'unknown placeholder {{{":".join(filter(None, (kind, ref, which)))}}}; '  # noqa: E501
                f'valid: {{python}}, {{root}}, {{work_dir}}, {{init}}, '
                f'{{work_dir:STAGE}}, {{config:STAGE}}, '
                f'{{checkpoint:STAGE}}, {{checkpoint:STAGE:best}} and, as a '
                f'whole argument, {{cfg_options}}')

        return values

    def init_checkpoint(self, stage: Stage,
                        write: bool = True) -> Optional[str]:
        """The checkpoint that initialises ``stage``: the earlier stage's
        checkpoint itself, or (with a ``prefix`` or ``target``) its
        selected part written to ``<stage dir>/init_<stage>.pth``
        (``write=False``: only its path)."""
        init = stage.init_from
        if init is None:
            return None
        src = self.checkpoint(init.stage, init.checkpoint)
        if not init.prefix and not init.target:
            return src
        dst = osp.join(self.stage_dir(stage.name), f'init_{init.stage}.pth')
        if not write:
            return dst
        num = write_init_checkpoint(src, dst, init.prefix, init.target)
        self.log(f'[chain] {stage.name}: {num} tensors {init.prefix!r}* of '
                 f'{src} -> {init.target_prefix!r}* in {dst}')
        return dst

    # -------------------------------------------------------- commands
    def extra_options(self, stage: Stage) -> List[str]:
        """The command-line overrides that apply to ``stage``."""
        return self.cfg_options + self.stage_cfg_options.get(stage.name, [])

    def stage_options(self, stage: Stage, init: Optional[str]) -> List[str]:
        """``--cfg-options`` of a training stage: its own, then the
        command line's."""
        where = f'stage {stage.name!r}'
        values = self._values(stage, init)
        own = [expand(o, values, where)
               for o in flatten_options(stage.cfg_options, where)]
        return own + self.extra_options(stage)

    @staticmethod
    def loads_from(stage: Stage) -> bool:
        """Whether the init checkpoint goes in as ``load_from`` (the
        default) rather than through an ``{init}`` in ``cfg_options``."""
        return stage.init_from is not None and not any(
            '{init}' in s for s in _strings(stage.cfg_options))

    def command(self, stage: Stage, init: Optional[str],
                resume: bool) -> Tuple[List[str], Dict[str, str]]:
        """The command line and extra environment of ``stage``."""
        env = dict(stage.env)
        where = f'stage {stage.name!r}'
        if stage.command is not None:
            values = self._values(stage, init)
            cmd = []
            for arg in stage.command:
                if arg == '{cfg_options}':
                    extra = self.extra_options(stage)
                    cmd += ['--cfg-options', *extra] if extra else []
                else:
                    cmd.append(expand(arg, values, where))
            return cmd, env
        args = ['--work-dir', self.stage_dir(stage.name)]
        options = self.stage_options(stage, init)
        if resume:
            # --resume alone: MMEngine resumes from the work dir's latest
            # checkpoint; a load_from would make it resume from that file
            args.append('--resume')
        elif init is not None and self.loads_from(stage):
            options.append(f'load_from={init}')
        if options:
            args += ['--cfg-options', *options]
        launcher = stage.launcher or self.launcher
        gpus = int(stage.gpus or self.gpus)
        tools = osp.join(self.root, 'tools')
        if launcher == 'none':
            cmd = [self.python, osp.join(tools, 'train.py'), stage.config]
        elif launcher == 'pytorch':
            env.setdefault('PYTHON', self.python)
            cmd = ['bash', osp.join(tools, 'dist_train.sh'), stage.config,
                   str(gpus)]
        else:
            if not self.partition:
                raise ChainError(f'{where}: launcher slurm needs a '
                                 f'partition (--partition)')
            env.setdefault('GPUS', str(gpus))
            env.setdefault('GPUS_PER_NODE', str(min(gpus, 8)))
            cmd = ['bash', osp.join(tools, 'slurm_train.sh'), self.partition,
                   f'{osp.basename(self.work_dir)}-{stage.name}', stage.config]
        return cmd + args, env

    def _check_options(self, stage: Stage, init: Optional[str]) -> dict:
        """The stage's options parsed as ``tools/train.py`` parses them."""
        from .experiment import parse_cfg_options
        return parse_cfg_options(self.stage_options(stage, init))

    # ------------------------------------------------------------- run
    def run(self,
            only: Optional[Sequence[str]] = None,
            dry_run: bool = False) -> Dict[str, str]:
        """Run the stages (``only``: just these, which must find their
        inputs finished), skipping done ones and resuming partial ones.

        Returns:
            dict: stage name -> ``'skipped'``, ``'resumed'``, ``'ran'`` or
            (dry run) ``'would run'`` / ``'would resume'``.
        """
        if only:
            unknown = [n for n in only if n not in self.by_name]
            if unknown:
                raise ChainError(f'unknown stages {unknown}; the chain has '
                                 f'{list(self.by_name)}')
        report = {}
        for stage in self.stages:
            if only and stage.name not in only:
                continue
            state = self.state(stage)
            if state == 'done':
                self._check_spec(stage, DONE_FILE)
                self._check_config(stage)
                self.log(f'[chain] {stage.name}: done, skipped')
                report[stage.name] = 'skipped'
                continue
            resume = state == 'partial'
            if resume:
                self._check_spec(stage, SPEC_FILE)
            if dry_run:
                deps = [d for d in stage.depends_on
                        if self.state(self.by_name[d]) != 'done']
                if deps:
                    self.log(f'[chain] {stage.name}: waits for {deps}')
                    cmd = None
                else:
                    init = self.init_checkpoint(stage, write=False)
                    cmd, env = self.command(stage, init, resume)
                    self.log(f'[chain] {stage.name}: '
                             + ''.join(f'{k}={v} ' for k, v in env.items())
                             + ' '.join(cmd))
                report[stage.name] = ('would resume'
                                      if resume else 'would run')
                continue
            report[stage.name] = self._run_stage(stage, resume)
        return report

    def _run_stage(self, stage: Stage, resume: bool) -> str:
        wd = self.stage_dir(stage.name)
        os.makedirs(wd, exist_ok=True)
        record = dict(stage=stage.name,
                      key=spec_key(stage, self.extra_options(stage)),
                      spec=stage.spec, options=self.extra_options(stage))
        with open(osp.join(wd, SPEC_FILE), 'w') as f:
            json.dump(record, f, indent=1)
        init = self.init_checkpoint(stage)
        if (not resume and init is not None and stage.config and self.check
                and self.loads_from(stage)):
            check_init(stage.config, self._check_options(stage, init), init)
        cmd, env = self.command(stage, init, resume)
        self.log(f'[chain] {stage.name}: {"resuming" if resume else "running"}'
                 f' (log: {osp.join(wd, "chain_stdout.log")})\n    '
                 + ' '.join(cmd))
        start = time.time()
        with open(osp.join(wd, 'chain_stdout.log'), 'a') as out:
            proc = subprocess.run(cmd, cwd=self.root, stdout=out,
                                  stderr=subprocess.STDOUT,
                                  env={**os.environ, **self.env, **env})
        if proc.returncode != 0:
            raise ChainError(f'stage {stage.name!r} failed (exit code '
                             f'{proc.returncode}); see '
                             f'{osp.join(wd, "chain_stdout.log")}. Rerunning '
                             f'the chain resumes it.')
        if stage.config:
            find_checkpoint(wd, 'last')  # a training stage leaves one
        record.update(command=cmd, init=init, resumed=resume,
                      minutes=(time.time() - start) / 60,
                      finished=time.strftime('%Y-%m-%d %H:%M:%S'))
        with open(osp.join(wd, DONE_FILE), 'w') as f:
            json.dump(record, f, indent=1)
        self.log(f'[chain] {stage.name}: finished in '
                 f'{record["minutes"]:.1f} min')
        return 'resumed' if resume else 'ran'


def stage_output(work_dir: str, name: str) -> str:
    """The captured output of a finished stage (e.g. a tool's result line)."""
    path = osp.join(work_dir, name, 'chain_stdout.log')
    if not osp.isfile(osp.join(work_dir, name, DONE_FILE)):
        raise ChainError(f'stage {name!r} in {work_dir} has not finished')
    with open(path) as f:
        return f.read()
