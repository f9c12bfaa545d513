"""Every experiment has the same files with the same jobs, reads its settings by name,
and the runner is one package (docs/architecture.md, "Adding a reproduction")."""

import ast
import dataclasses
from pathlib import Path

import pytest

from reproductions.runner.settings import Settings

REPRODUCTIONS = Path(__file__).resolve().parents[1] / "reproductions"
EXPERIMENTS = ("dcgan", "mitlgan", "mnist_gans", "palindrome", "zi2zi")
#: the jobs every experiment splits into, one file each (a larger one may split a job
#: further into more files, never merge two)
JOB_FILES = ("config.py", "stages.py", "claims.py", "report.py", "run.py", "__init__.py",
             "__main__.py")
#: files where a configuration is still a dict being built from presets and flags
CONFIG_BUILDERS = ("config.py", "flags.py")


def _experiments_on_disk():
    return sorted(path.name for path in REPRODUCTIONS.iterdir()
                  if path.is_dir() and (path / "__init__.py").is_file() and path.name != "runner")


def test_the_experiments_are_the_five_and_the_runner_is_one_package():
    assert _experiments_on_disk() == sorted(EXPERIMENTS)
    # no private runner modules lying flat beside the experiments
    assert sorted(p.name for p in REPRODUCTIONS.glob("*.py")) == [
        "__init__.py", "claims.py", "notebook.py"]
    assert (REPRODUCTIONS / "runner" / "__init__.py").is_file()


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_has_the_same_files_with_the_same_jobs(name):
    folder = REPRODUCTIONS / name
    missing = [job for job in JOB_FILES if not (folder / job).is_file()]
    assert not missing, f"{name} lacks {missing}"
    run = ast.parse((folder / "run.py").read_text())
    assigned = {target.id for node in run.body if isinstance(node, ast.Assign)
                for target in ast.walk(node.targets[0]) if isinstance(target, ast.Name)}
    assert {"prepare", "main", "reproduce"} <= assigned  # the one entry_points line
    config = ast.parse((folder / "config.py").read_text())
    settings = [node.name for node in config.body if isinstance(node, ast.ClassDef)
                and any(getattr(base, "id", None) == "Settings" for base in node.bases)]
    assert len(settings) == 1, f"{name}/config.py declares {settings} Settings subclasses"


def _string_lookups_of_config(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Subscript) and isinstance(node.value, (ast.Name, ast.Attribute))
                and (getattr(node.value, "id", None) == "config"
                     or getattr(node.value, "attr", None) == "config")
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            found.append(f"{path.name}:{node.lineno} config[{node.slice.value!r}]")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get" and getattr(node.func.value, "id", None) == "config"):
            found.append(f"{path.name}:{node.lineno} config.get(...)")
    return found


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_stages_reports_and_claims_read_settings_by_name(name):
    lookups = [hit for path in sorted((REPRODUCTIONS / name).glob("*.py"))
               if path.name not in CONFIG_BUILDERS for hit in _string_lookups_of_config(path)]
    assert not lookups, "string look-ups of the configuration: " + ", ".join(lookups)


def test_the_lookup_finder_finds_what_it_looks_for(tmp_path):
    module = tmp_path / "stages.py"
    module.write_text("def f(context, config):\n    return context.config['a'] + config['b']"
                      " + config.get('c', 1) + config.d\n")
    assert sorted(_string_lookups_of_config(module)) == [
        "stages.py:2 config.get(...)", "stages.py:2 config['a']", "stages.py:2 config['b']"]


ARGVS = {
    "dcgan": [["--preset", p] for p in ("quick", "hour", "full")]
    + [["--preset", p, "--benchmark", "stacked-mnist"] for p in ("quick", "full")],
    "mitlgan": [["--preset", p, "--backbone", "random"] for p in ("quick", "hour", "thesis")],
    "mnist_gans": [["--study", s, "--preset", p] for s in ("mlp", "ablations", "collapse")
                   for p in ("quick", "hour", "full")],
    "palindrome": [["--preset", p] for p in ("quick", "hour", "full")],
    "zi2zi": [["--study", s, "--preset", p] for s in ("style", "samples", "l1")
              for p in ("quick", "hour", "full")],
}


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_presets_configuration_is_a_settings_object(name, tmp_path, capsys):
    import importlib

    run = importlib.import_module(f"reproductions.{name}.run")
    for argv in ARGVS[name]:
        args, config, _ = run.prepare([*argv, "--max-steps", "2", "--output", str(tmp_path)])
        reproduction = (run.REPRODUCTION if hasattr(run, "REPRODUCTION")
                        else run.reproduction_for(getattr(args, "study", None)
                                                  or getattr(args, "benchmark", None)))
        kind = reproduction.settings
        assert kind is not None and issubclass(kind, Settings)
        settings = kind.from_config(config)  # every key of the preset is a named field
        round_trip = settings.as_config()
        assert {key: round_trip[key] for key in config} == config
        with pytest.raises(dataclasses.FrozenInstanceError):
            settings.seed = 3
    assert not any(tmp_path.iterdir())  # preparing touches no file


def test_settings_refuse_an_unknown_or_missing_setting():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Toy(Settings):
        epochs: int
        sizes: tuple[int, ...] = ()

    toy = Toy.from_config({"epochs": 3, "sizes": [1, 2], "preset": "quick"})
    assert toy.sizes == (1, 2) and toy.as_config()["sizes"] == [1, 2]
    with pytest.raises(ValueError, match=r"no setting\(s\) \['epoch'\]"):
        Toy.from_config({"epoch": 3})
    with pytest.raises(ValueError, match="epochs"):
        Toy.from_config({"preset": "quick"})
