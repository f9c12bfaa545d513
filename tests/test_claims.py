"""The claims board: ``claims.json`` from tiny runs of two reproductions, gathered."""

import json
import re

import pytest
from _cli_helpers import run_main

from reproductions import claims as board
from reproductions.dcgan.run import main as dcgan_main
from reproductions.palindrome.run import main as palindrome_main
from reproductions.runner.claims import claim_id
from reproductions.runner.verdicts import VERDICTS

PALINDROME = ["--lengths", "5,20", "--epochs", "2", "--data-size", "100", "--hidden", "4",
              "--learning-rates", "1e-3"]


def _bare(cell: str) -> str:
    """A cell without its runs' budget shares (these tiny runs spend <0.1% of it)."""
    return re.sub(r" \((?:early training, )?<0\.1% of the budget\)", "", cell)


DCGAN = ["--preset", "quick", "--epochs", "1", "--n-images", "64", "--batch-size", "32",
         "--generator-channels", "8", "--discriminator-channels", "4"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("claims")
    for preset in ("quick", "hour"):
        code, out, err = run_main(palindrome_main, ["--preset", preset, *PALINDROME,
                                                    "--output", str(root / preset)])
        assert code == 0, out + err
    code, out, err = run_main(dcgan_main, [*DCGAN, "--output", str(root / "quick")])
    assert code == 0, out + err
    return root


def test_each_report_writes_its_claims_with_the_budget(runs):
    payload = json.loads((runs / "hour" / "palindrome" / "claims.json").read_text())
    assert payload["preset"] == "hour" and payload["budget"]["epochs"] == 2
    assert payload["command"].startswith("python -m reproductions.palindrome --preset hour")
    assert {c["document"] for c in payload["claims"]} == {"002"}
    assert all(c["verdict"] in VERDICTS for c in payload["claims"])
    assert all(c["reason"] or c["verdict"] == "supported" for c in payload["claims"])
    dcgan = json.loads((runs / "quick" / "dcgan" / "sprites" / "claims.json").read_text())
    assert dcgan["budget"]["epochs"] == 1 and dcgan["budget"]["updates"] == 4  # 128 images / 32
    assert {c["document"] for c in dcgan["claims"]} == {"001"}


def test_the_board_puts_quick_and_hour_side_by_side(runs):
    found = board.find_claims([runs])
    assert len(found) == 3
    header, rows = board.board_rows(board.load_runs(found))
    assert header[:5] == ["document", "claim", "quick", "hour", "full"]
    palindrome = json.loads((runs / "hour" / "palindrome" / "claims.json").read_text())
    dcgan = json.loads((runs / "quick" / "dcgan" / "sprites" / "claims.json").read_text())
    assert len(rows) == len(palindrome["claims"]) + len(dcgan["claims"])  # one row per claim
    by_claim = {row[1]: row for row in rows}
    for claim in palindrome["claims"]:
        _, _, quick, hour, full, _ = by_claim[claim["claim"]]
        assert "(early training, <0.1% of the budget)" in quick and "[q" in quick
        assert hour.startswith(claim["verdict"]) and "[h" in hour and full == "-"
    for claim in dcgan["claims"]:
        assert by_claim[claim["claim"]][3] == "-"  # no hour run of the DCGAN here
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)  # grouped by seed


def test_the_page_lists_every_run_and_the_command_line_writes_it(runs, tmp_path, capsys):
    out = tmp_path / "claims.md"
    assert board.main([str(runs), "--output", str(out)]) == 0
    page = out.read_text()
    # a summary per document, the data and the budget share of each run, the documents'
    # own words for each claim, and the claims no run decides yet
    assert "- **002** (" in page and "- **004** (" in page and "not run here yet" in page
    assert "the document's palindromes" in page and "of the document's 100 epochs" in page
    assert "The LSTM reaches a higher accuracy than the RNN" in page
    assert "LSTM not only achieves a better upper limit of accuracy on long inputs" in page
    assert "## Claims no run decides yet (untested here)" in page
    assert "it is hard to see whether the drop out layer helped or not" in page  # 003's
    # a claim a reproduction decides but no run here did: its command
    assert "run `python -m reproductions.zi2zi --study l1 --preset full`" in page
    assert page.count("python -m reproductions.palindrome --preset") == 2
    assert "python -m reproductions.dcgan --preset quick" in page
    assert board.main([str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert board.main([str(empty)]) == 2


def test_claim_ids_ignore_the_presets_numbers():
    assert claim_id("002", "On long inputs (T = 20) a lower learning rate ends higher") == \
        claim_id("002", "On long inputs (T = 30) a lower learning rate ends higher") == \
        "002-on-long-inputs-a-lower-learning-rate-ends-higher"
    assert claim_id("003", "Adam for both") != claim_id("000", "Adam for both")


def test_a_rerun_alone_stands_beside_its_run_and_a_changed_verdict_is_unsettled(runs, tmp_path):
    published = tmp_path / "palindrome"
    published.mkdir()
    payload = json.loads((runs / "hour" / "palindrome" / "claims.json").read_text())
    (published / "claims.json").write_text(json.dumps(payload))
    flipped, kept = payload["claims"][0], payload["claims"][1]
    other = "contradicted" if flipped["verdict"] == "supported" else "supported"
    rerun_command = payload["command"].split(" --output")[0] + " --output /elsewhere"
    (published / "run.json").write_text(json.dumps({"unshared_rerun": {
        "command": rerun_command, "wall_seconds": 600, "machine": "a test CPU",
        "verdicts_changed": {flipped["id"]: {"published": flipped["verdict"], "rerun": other}},
        "numbers": {flipped["id"]: "rerun numbers", kept["id"]: "kept rerun numbers"}}}))
    runs_loaded = board.load_runs(board.find_claims([published]))
    assert [bool(r.get("rerun")) for r in runs_loaded] == [False, True]  # the rerun after it
    _, rows = board.board_rows(runs_loaded)
    by_claim = {row[1]: row for row in rows}
    hour = _bare(by_claim[flipped["claim"]][3])
    assert hour == f"{board.UNSETTLED} {flipped['verdict']} [h1]; {other} [h2]"
    assert by_claim[flipped["claim"]][5] == flipped["numbers"]  # the published run's numbers
    # same outcome in both runs (only --output differs): one settled verdict, both runs
    assert _bare(by_claim[kept["claim"]][3]) == f"{kept['verdict']} [h1, h2]"
    page = board.board_markdown(runs_loaded)
    # commands as a user types them: the machine's output folder is `--output runs`
    assert f"`{rerun_command.replace('/elsewhere', 'runs')}`" in page
    assert "(`unshared_rerun`)" in page and "/elsewhere" not in page
    assert "the same command alone on a test CPU, 600 s" in page


def test_runs_with_other_seeds_are_one_experiment_settled_only_when_every_seed_agrees(runs,
                                                                                       tmp_path):
    payload = json.loads((runs / "hour" / "palindrome" / "claims.json").read_text())
    base = payload["command"].split(" --output")[0]
    flipped, kept = payload["claims"][0], payload["claims"][1]
    other = "contradicted" if flipped["verdict"] == "supported" else "supported"
    for folder, command, claims in (
            ("seed0", f"{base} --output /a", payload["claims"]),
            ("seed1", f"{base} --seed 1 --output /b", payload["claims"]),
            ("seed2", f"{base} --seed=2 --output /c",
             [{**flipped, "verdict": other}, *payload["claims"][1:]]),
            # seeds inside one run (--seeds) make another experiment, not a fourth seed
            ("inside", f"{base} --seeds 3 --output /d", payload["claims"])):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "claims.json").write_text(json.dumps(
            {**payload, "command": command, "claims": claims}))
    by_claim = {row[1]: row for row in
                board.board_rows(board.load_runs(board.find_claims([tmp_path])))[1]}
    assert by_claim[flipped["claim"]][3].startswith(f"{board.UNSETTLED} ")
    assert f"{other} [h" in _bare(by_claim[flipped["claim"]][3])
    kept_cell = _bare(by_claim[kept["claim"]][3])
    # the seeds by seed, then the --seeds run (its command sorts after theirs); the three
    # seeds' agreement is written before their runs only, not before the other command's
    agreed = board.AGREED.format(seeds=3, runs="h1, h2, h3")
    assert kept_cell == f"{agreed} {kept['verdict']} [h1, h2, h3]; {kept['verdict']} [h4]"
    # two seeds of the first two runs alone agree on every claim
    by_claim = {row[1]: row for row in board.board_rows(board.load_runs(
        board.find_claims([tmp_path / "seed1", tmp_path / "seed0"])))[1]}
    assert all(row[3].startswith(board.AGREED.format(seeds=2, runs="h1, h2"))
               for row in by_claim.values())
    assert all(row[3].endswith("[h1, h2]") for row in by_claim.values())


def test_runs_each_over_several_seeds_say_how_many_seeds_agree_in_all(runs, tmp_path):
    """Two runs of the ablation command (--seed 0 and 1), each over 3 seeds itself: 6."""
    payload = json.loads((runs / "hour" / "palindrome" / "claims.json").read_text())
    base = payload["command"].split(" --output")[0]
    for folder, command in (("a", f"{base} --output /a"), ("b", f"{base} --seed 1 --output /b")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "claims.json").write_text(json.dumps(
            {**payload, "command": command, "budget": {**payload["budget"], "seeds": 3}}))
    rows = board.board_rows(board.load_runs(board.find_claims([tmp_path])))[1]
    expected = board.AGREED_REPEATS.format(seeds=2, runs="h1, h2", each=3, total=6)
    assert expected == "the same in all 2 runs, 3 seeds each, 6 in all:"
    assert all(row[3].startswith(expected + " ") for row in rows)


@pytest.mark.parametrize("cell, kind", [
    ("supported (early training) [q1]", "supported"),
    ("the same in all 3 seeds (h10, h11, h12): inconclusive [h10]; inconclusive [h11]",
     "inconclusive"),
    ("not reached [h1]", "not reached"),
    # runs with equal verdicts share one label list (the DCGAN's two hour runs)
    ("not reached [h8, h9]", "not reached"),
    ("the same in all 3 seeds: contradicted [h18, h19, h20]", "contradicted"),
    ("unsettled, runs of one command disagree: supported [h1]; contradicted [h2]", "unsettled"),
    # runs decided before the five verdicts are counted apart, never as "supported"
    ("not supported [h13]", board.LEGACY),
    ("not supported (within the spread between seeds) (early training) [q3]", board.LEGACY),
    # the thesis's question on the pokemon stand-ins (yes) and on the synthetic scenes (no)
    ("supported (stand-in, 1.8% of the budget) [h10]; contradicted (stand-in, 1.8% of the "
     "budget) [h11]; decided before the five verdicts [h12, h13]", board.DIFFERS),
    # the seeds' agreement stands before their command's cell, after another command's
    ("supported (stand-in) [h10]; the same in all 3 seeds: contradicted (stand-in) "
     "[h11, h12, h13]", board.DIFFERS),
    ("contradicted (stand-in) [h10]; the same in all 3 seeds: contradicted (stand-in) "
     "[h11, h12, h13]", "contradicted"),
    # untested measured nothing; an older seed neither agrees nor disagrees
    ("contradicted (stand-in) [h10]; untested [h11]; decided before the five verdicts [h12]",
     "contradicted"),
    ("supported (stand-in, 4.4% of the budget) [h14]; decided before the five verdicts [h15]",
     "supported"),
])
def test_the_per_document_summary_reads_each_cells_verdict(cell, kind):
    assert board.cell_kind(cell) == kind


def test_a_command_reads_as_a_user_types_it():
    typed = board.typed_command("python -m reproductions.mitlgan --dataset pokemon --data-root "
                                "/work/data --preset hour --output=/tmp/x/runs")
    assert typed == ("python -m reproductions.mitlgan --dataset pokemon --data-root data "
                     "--preset hour --output runs")
    # --restart deleted an older run in the folder: the run itself is made without it
    assert board.typed_command("python -m reproductions.mnist_gans --study ablations --output "
                               "/w --restart --debug") == \
        "python -m reproductions.mnist_gans --study ablations --output runs"
    assert board.typed_command("python -m r --restarts 2") == "python -m r --restarts 2"
    # Debian's CJK fonts unpacked without root, and the charset the recipe writes
    fonts = "/work/data/cjk/root/usr/share/fonts/truetype"
    assert board.typed_command(
        f"python -m reproductions.zi2zi --fonts cjk --source-font {fonts}/wqy/wqy-microhei.ttc "
        f"--target-font={fonts}/arphic/ukai.ttc --charset /work/data/cjk/gb2312_top1000.txt "
        "--preset full") == (
        "python -m reproductions.zi2zi --fonts cjk --source-font "
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc --target-font "
        "/usr/share/fonts/truetype/arphic/ukai.ttc --charset gb2312_top1000.txt --preset full")


@pytest.mark.parametrize("column, data, share, expected", [
    # document 000's judge claim at the hour: 8,000 digits for MNIST's 60,000, 13.3%
    ("hour", "8,000 embedded MNIST digits for MNIST's 60,000", 0.133,
     "stand-in, 13% of the budget"),
    ("quick", "synthetic scenes at 32x32 for the thesis's datasets at 128x128", 0.003,
     "early training, stand-in, 0.3% of the budget"),
    ("hour", "pokemon at 32x32 (stand-ins from packages: ...)", 0.018,
     "stand-in, 1.8% of the budget"),
    # the palindrome grid at document 002's own data and budget: nothing to qualify
    ("full", "the document's palindromes (made the assignment template's way)", 1.0, ""),
])
def test_a_cell_names_the_stand_in_and_the_budget_share_at_every_budget(column, data, share,
                                                                       expected):
    run = {"column": column, "budget": {"data": data, "share": share}}
    assert board.cell_qualifiers(run) == expected
    claim = {"id": "002-x", "document": "002", "claim": "x", "verdict": "supported",
             "numbers": "", "reason": "r"}
    _, rows = board.board_rows([{**run, "claims": [claim], "command": "python -m r",
                                 "path": "p"}])
    cell = rows[0][2 + board.BUDGETS.index(column)]
    assert cell == (f"supported ({expected}) [{column[0]}1]" if expected
                    else f"supported [{column[0]}1]")
    assert board.cell_kind(cell) == "supported"


def test_a_claim_on_the_board_is_found_in_the_catalogue_by_its_id_not_its_wording():
    # the report words Table 7.4's row otherwise than the catalogue; both have one id
    text = "The WGAN FID is below the MITLGAN FID on all three datasets (Table 7.4)"
    lines = board.words_section([["004", text, "-", "supported [h1]", "-", ""]])
    not_run = lines[lines.index("## Claims no run decides yet (untested here)"):]
    assert any(text in line and "WGAN (Real faces) 1464.5657" in line for line in lines)
    assert not any("WGAN (Real faces) 1464.5657" in line for line in not_run)


def test_a_row_keeps_the_wording_of_its_five_verdict_run_over_an_older_seed():
    # document 003's "original data": read as 0-255 now, as [0, 1] by an older seed run
    new = {"id": "003-data-in-1-1-helps-a-lot", "document": "003", "verdict": "supported",
           "claim": "Data in [-1, 1] helps a lot (vs the original data, 0-255)",
           "numbers": "base FD 319.1 vs data_0_255 FD 484.1", "reason": "beyond the margin"}
    old = {"id": new["id"], "document": "003", "verdict": "not supported",
           "claim": "Data in [-1, 1] helps a lot (vs [0, 1])", "numbers": "vs data_0_1"}
    runs = [{"column": "hour", "budget": {}, "command": f"python -m r{seed}", "path": "p",
             "claims": [claim]} for seed, claim in ((0, new), (1, old))]
    _, rows = board.board_rows(runs)
    assert rows[0][1] == new["claim"] and rows[0][5] == new["numbers"]
