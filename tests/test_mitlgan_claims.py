"""The thesis's claims from hand-made scores: the verdicts and the margins they state."""

from reproductions.mitlgan.claims import thesis_claims


def _row(model, backbone, fid):
    return {"model": model, "backbone": backbone, "fid": fid}


def test_the_verdicts_follow_the_stated_margins():
    results = [_row("WGAN", "random-untrained-seed0@75", 0.3),
               _row("MITLGAN (corrected head)", "random-untrained-seed0@75", 0.1),
               _row("WGAN", "scene-judge-x@32", 100.0),
               _row("MITLGAN (corrected head)", "scene-judge-x@32", 104.0)]
    leads = {"MITLGAN (corrected head)": {
        "epoch": 1, "candidate": 250.0, "baseline_at_epoch": 500.0, "lead_at_epochs": True,
        "flops": 1e12, "baseline_at_flops": 40.0, "lead_at_flops": False}}
    attribution = {"MITLGAN (corrected head)": {"score": 0.55}}
    claims = {claim: (verdict, numbers)
              for claim, verdict, numbers in thesis_claims(results, leads, attribution)}
    head = "The MITLGAN corrected head"
    assert claims[f"{head} is ahead of the WGAN early, at equal epochs"][0] == "supported"
    assert claims[f"{head} is ahead of the WGAN early, at equal compute"][0] == "not supported"
    # 0.55 is above 0.5 but not by the 0.1 margin
    assert claims[f"{head} combines its two parts' features"][0] == "not supported"
    # the scene judge's FIDs (104 against 100: within 5%), not the untrained backbone's
    same, numbers = claims["The final FIDs of the WGAN and the MITLGAN corrected head are "
                           "essentially the same"]
    assert same == "supported" and "scene-judge" in numbers
    # no thesis head was trained: no rows for it; the thesis's own datasets are untested
    assert not any("thesis head" in claim for claim in claims)
    assert claims["The MITLGAN trains on real faces, anime faces and pokemon (Table 7.4)"][0] \
        .startswith("untested")
