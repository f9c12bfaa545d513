"""Study variants carried from one machine to another.

A study's variants may take longer than one machine is lent for (document 000's L1
study: four variants of 10,000 steps, ~3 hours on 2 CPU cores). One machine trains some
variants (``--until VARIANT`` stops after it) and :func:`write_records` copies what they
left that the later stages read, without weights: ``config.json``, ``invocations.json``,
``data/done.json`` and, per finished variant, its ``done.json``, ``seed_K/result.json``,
``seed_K/history.csv`` and its grid figure. On another machine the same command with
``--variants-from RECORDS`` takes each variant whose identity
(:func:`variant_identity`: the same training and held-out characters, fonts, settings,
seed and seeds) matches a record instead of training it, and says so in the variant's
``done.json`` (``carried_from``) and in the report. A variant of another study with the
same identity counts: the L1 study's ``l1_100`` is the epochs study's ``epochs_x1``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from mitlgan.artifacts import HISTORY_FILE
from reproductions.claims import typed_command
from reproductions.runner import CONFIG_FILE, DONE_FILE, RESULT_FILE, say
from reproductions.runner.invocations import INVOCATIONS_FILE, read_invocations
from reproductions.zi2zi.config import DATA_STAGE, Zi2ZiSettings, study_variants

#: configuration entries that change what a variant trains (the rest name files or the study)
TRAINING_KEYS = ("batch_size", "channels", "embedding_num", "epochs", "l1_weight", "width",
                 "seed", "seeds", "max_steps")
#: what a variant takes from the data stage: its characters and fonts
DATA_KEYS = ("held_out_chars", "target_fonts")


def grid_file(variant: str) -> str:
    """The file name of a variant's held-out grid figure."""
    return f"grid_{variant}.png"


def variant_identity(settings: Zi2ZiSettings, data: dict, variant: str) -> dict:
    """What decides a variant of ``settings.study``'s training and scores: its training
    characters (str), the held-out characters, fonts and skipped characters of the data
    stage (its ``done.json``), and its effective settings (the study's changes applied
    to the run's)."""
    changes = study_variants(settings.study, settings)[variant]
    train_chars = data["train_chars"]
    identity = {key: getattr(settings, key) for key in TRAINING_KEYS}
    identity.update({key: changes[key] for key in ("epochs", "l1_weight", "width")
                     if key in changes})
    identity["schedule_stretch"] = changes.get("schedule_stretch", 1)
    identity["train_chars"] = train_chars[:changes.get("train_chars", len(train_chars))]
    identity["source_fonts"] = list(data["source_fonts"][:changes.get("sources", 1)])
    identity.update({key: data.get(key) for key in DATA_KEYS})
    # fonts by name: the same Debian font may sit in another folder on another machine
    identity["skipped"] = {Path(font).name: chars for font, chars in
                           (data.get("skipped") or {}).items()}
    return identity


def recorded_variants(folder: Path):
    """``(run folder, its Zi2ZiSettings, variant)`` of every finished variant under
    ``folder`` (a run folder, records written by :func:`write_records`, or a folder
    holding them); folders of other reproductions are passed over."""
    for config_path in sorted(Path(folder).rglob(CONFIG_FILE)):
        run = config_path.parent
        try:
            settings = Zi2ZiSettings.from_config(json.loads(config_path.read_text()))
        except ValueError:  # not a zi2zi run
            continue
        if not (run / DATA_STAGE / DONE_FILE).is_file():
            continue
        for variant in study_variants(settings.study, settings):
            if (run / variant / DONE_FILE).is_file() and any(
                    (run / variant).glob(f"seed_*/{RESULT_FILE}")):
                yield run, settings, variant


def shown_folder(path) -> str:
    """A records folder as a user of the repository names it (``docs/results/...``), else
    by its name: no folder of the machine that ran the study goes into a record."""
    text = Path(path).as_posix()
    start = text.find("docs/results/")
    return text[start:] if start >= 0 else Path(path).name


def _read(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def _first_difference(mine: dict, theirs: dict) -> str:
    for key in mine:
        if mine[key] != theirs.get(key):
            return key
    return ""


def find_carried(folders, settings: Zi2ZiSettings, data: dict, variant: str):
    """The first recorded variant under ``folders`` whose identity equals this run's
    ``variant``: ``(run folder, its settings, its variant name)``, or None (saying which
    entry kept a record of the same name from matching)."""
    wanted = variant_identity(settings, data, variant)
    for folder in folders:
        for run, theirs_settings, name in recorded_variants(folder):
            theirs = variant_identity(theirs_settings, _read(run / DATA_STAGE / DONE_FILE),
                                      name)
            if theirs == wanted:
                return run, theirs_settings, name
            if name == variant:
                say(f"  {run / name} is not this run's {variant}: its "
                    f"{_first_difference(wanted, theirs)} differs")
    return None


def carry_variant(context, variant: str) -> dict | None:
    """Copy a matching recorded variant into this run's stage folder (its seeds' results
    and histories, its generators where the record has them, its grid); returns its
    ``carried_from`` record, or None when no record matches (the variant then trains)."""
    folders = getattr(context.args, "variants_from", None) or []
    if not folders:
        return None
    found = find_carried(folders, context.settings, context.done_payload(DATA_STAGE), variant)
    if found is None:
        say(f"  no record under {', '.join(map(str, folders))} is this variant: training it")
        return None
    run, theirs_settings, name = found
    stage_dir = context.stage_dir(variant)
    for seed_dir in sorted((run / name).glob("seed_*")):
        target = stage_dir / seed_dir.name
        target.mkdir(parents=True, exist_ok=True)
        for item in seed_dir.iterdir():
            if item.name in (RESULT_FILE, HISTORY_FILE) or item.name.startswith("generator"):
                if item.is_dir():  # a carry interrupted earlier may have begun the copy
                    shutil.copytree(item, target / item.name, dirs_exist_ok=True)
                else:
                    shutil.copyfile(item, target / item.name)
    for grid in (run / name / grid_file(name), run / grid_file(name),
                 run.parent / grid_file(name)):
        if grid.is_file():
            shutil.copyfile(grid, stage_dir / grid_file(variant))
            break
    stage = _read(run / name / DONE_FILE)
    invocations = read_invocations(run)
    record = {"folder": shown_folder(run), "study": theirs_settings.study, "variant": name,
              "trained_seconds": stage.get("seconds_this_run"),
              "hosts": sorted({call.get("host", "") for call in invocations}),
              "commands": [call.get("command", "") for call in invocations]}
    say(f"  carried from {run / name} (study {record['study']}, trained in "
        f"{(record['trained_seconds'] or 0) / 60:.0f} min on {', '.join(record['hosts']) or '?'}):"
        " the same characters, fonts, settings and seeds")
    return record


def write_records(run_dir, dest, figures: bool = True) -> list[str]:
    """Copy ``run_dir``'s records of its finished variants into ``dest`` (replaced), with
    no weights: what :func:`carry_variant` reads. ``figures=False`` leaves out the grids
    (published records keep them beside the report, ``dest/../grid_NAME.png``, where
    :func:`carry_variant` looks too). Returns the variants copied."""
    run_dir, dest = Path(run_dir), Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    settings = Zi2ZiSettings.from_config(_read(run_dir / CONFIG_FILE))
    if settings.charset_file:  # the file's name, as the published command gives it
        settings = dataclasses.replace(settings, charset_file=Path(settings.charset_file).name)
    (dest / CONFIG_FILE).write_text(json.dumps(settings.as_config(), indent=2,
                                               sort_keys=True) + "\n")
    invocations = [{**call, "command": typed_command(call["command"])}
                   for call in read_invocations(run_dir)]
    (dest / INVOCATIONS_FILE).write_text(json.dumps(invocations, indent=2) + "\n")
    (dest / DATA_STAGE).mkdir()
    shutil.copyfile(run_dir / DATA_STAGE / DONE_FILE, dest / DATA_STAGE / DONE_FILE)
    copied = []
    for run, _, variant in recorded_variants(run_dir):
        if run != run_dir:
            continue
        (dest / variant).mkdir()
        done = _read(run / variant / DONE_FILE)
        if "folder" in done.get("carried_from", {}):  # an earlier version kept the whole path
            done["carried_from"]["folder"] = shown_folder(done["carried_from"]["folder"])
        (dest / variant / DONE_FILE).write_text(json.dumps(done, indent=2, sort_keys=True) + "\n")
        for seed_dir in sorted((run / variant).glob("seed_*")):
            (dest / variant / seed_dir.name).mkdir()
            for name in (RESULT_FILE, HISTORY_FILE):
                if (seed_dir / name).is_file():
                    shutil.copyfile(seed_dir / name, dest / variant / seed_dir.name / name)
        if figures and (run / variant / grid_file(variant)).is_file():
            shutil.copyfile(run / variant / grid_file(variant),
                            dest / variant / grid_file(variant))
        copied.append(variant)
    return copied


def carried_variants(run_dir) -> list[dict]:
    """``{"variant", "study", "from_variant", "trained_seconds", "hosts"}`` of every variant
    ``run_dir`` took from another machine's records."""
    carried = []
    for done in sorted(Path(run_dir).glob(f"*/{DONE_FILE}")):
        record = _read(done).get("carried_from")
        if record:
            carried.append({"variant": done.parent.name, "study": record["study"],
                            "from_variant": record["variant"],
                            "trained_seconds": record["trained_seconds"],
                            "hosts": record["hosts"]})
    return carried


def _score_rows(run_dir: Path, variants) -> list[str]:
    """Markdown rows: each finished variant's held-out scores (first seed, mean over styles)."""
    rows = ["| variant | held-out L1 | SSIM | nearest-style rate (style-blind) | style spread |",
            "|---|---|---|---|---|"]
    for variant in variants:
        scores = _read(sorted((run_dir / variant).glob(f"seed_*/{RESULT_FILE}"))[0])["scores"]
        styles = [s for s in scores.values() if isinstance(s, dict) and "l1" in s]
        nearest = scores.get("nearest_style")
        rows.append(
            f"| `{variant}` | {sum(s['l1'] for s in styles) / len(styles):.3f} | "
            f"{sum(s['ssim'] for s in styles) / len(styles):.3f} | "
            + (f"{nearest['rate']:.3f} ({nearest['chance']:.3f})" if nearest else "")
            + f" | {scores['style_spread']['generated']:.4f} |")
    return rows


def publish_unfinished(run_dir, target, command: str, shown: str | None = None,
                       note: str | None = None) -> list[str]:
    """Publish what an unfinished study has: its finished variants' records
    (``target/records``), their grids beside them and a ``README.md`` saying how another
    machine goes on (``shown``: ``target`` as a user types it, from the repository's root;
    ``note``: how the run was made).
    No ``run.json``: the study has no report or verdict yet. Returns the variants published."""
    run_dir, target = Path(run_dir), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("grid_*.png"):
        old.unlink()
    variants = write_records(run_dir, target / "records", figures=False)
    if not variants:
        raise ValueError(f"{run_dir} has no finished variant to publish")
    for variant in variants:
        grid = run_dir / variant / grid_file(variant)
        if grid.is_file():
            shutil.copyfile(grid, target / grid_file(variant))
    settings = Zi2ZiSettings.from_config(_read(run_dir / CONFIG_FILE))
    names = list(study_variants(settings.study, settings))
    def trained_seconds(done: dict) -> float:  # a carried variant's time is its own run's
        return (done.get("carried_from", {}).get("trained_seconds")
                or done.get("seconds_this_run") or 0)

    minutes = {v: trained_seconds(_read(run_dir / v / DONE_FILE)) / 60 for v in variants}
    hosts = sorted({call.get("host", "") for call in read_invocations(run_dir)})
    lines = [f"# zi2zi, study `{settings.study}`: unfinished", "",
             f"Finished on {', '.join(hosts) or 'an unrecorded host'}: " + ", ".join(
                 f"`{v}` ({minutes[v]:.0f} min)" for v in variants)
             + f" of the study's {len(names)} variants ("
             + ", ".join(f"`{n}`" for n in names) + "). No verdict yet: the study's claims "
             "compare every variant.", "", *([note, ""] if note else []),
             *_score_rows(run_dir, variants), "",
             "`records/` holds what the finished variants left (no weights): the "
             "configuration, the data split, each variant's scores and per-epoch history. "
             "Another machine goes on with the same command and",
             "", "```", f"{typed_command(command)} --variants-from {shown or target.as_posix()}/records",
             "```", "",
             "which takes these variants instead of training them (their characters, fonts, "
             "settings and seeds must match) and trains the rest.",
             *(f"\n![{grid_file(v)}]({grid_file(v)})" for v in variants if
               (target / grid_file(v)).is_file()), ""]
    (target / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return variants
