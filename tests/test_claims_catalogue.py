"""Every claim a report can emit is in the catalogue, with the document's own words and
their place; the catalogue's other rows are claims no reproduction decides yet."""

from types import SimpleNamespace

from test_mnist_claims import VARIANTS
from test_verdicts import SETTINGS, _history, _run

from reproductions.dcgan.claims import CELEBA_CLAIM
from reproductions.dcgan.claims import collapse_claims as dcgan_claims
from reproductions.mitlgan.claims import thesis_claims
from reproductions.mnist_gans.claims import (
    INTERPOLATION_CLAIM,
    SAMPLES_CLAIM,
    ablation_claims,
    collapse_claims,
    judge_accuracy_claim,
)
from reproductions.palindrome.claims import claims as palindrome_claims
from reproductions.runner.claims import claim_id, load_catalogue
from reproductions.zi2zi.claims import CLAIMS as ZI2ZI_CLAIMS


def _emitted() -> set[str]:
    rows = []
    summary = {name: {"feature_fd": (300.0, 10.0), "seeds": 3, "seconds_per_epoch": (1.0, 0.0)}
               for name in VARIANTS}
    rows += [("003", text) for text, _, _ in ablation_claims(summary)]
    rows += [("000", text) for text, _, _ in collapse_claims([100] * 10, [100] * 10)]
    judge = SimpleNamespace(test_accuracy=0.99, test_count=2000, description="d")
    rows += [("000", judge_accuracy_claim(judge)[0])]
    rows += [("002", SAMPLES_CLAIM), ("002", INTERPOLATION_CLAIM)]
    runs = {f"{m}{t}{r}": _run(m, t, r, [0.5, 0.9, 1.0]) for m in ("rnn", "lstm")
            for t in (5, 20) for r in (1e-2, 1e-3, 1e-4)}
    rows += [("002", text) for text, _, _ in palindrome_claims(runs, SETTINGS)]
    rows += [("001", text) for text, _, _ in dcgan_claims(_history(40, 32, jump_at=32), 0.5, 523)]
    rows += [("000", text) for text in ZI2ZI_CLAIMS.values()] + [("000", CELEBA_CLAIM)]
    results = [{"model": model, "backbone": "scene-judge@32", "fid": 100.0}
               for model in ("WGAN", "MITLGAN (thesis head)", "MITLGAN (corrected head)")]
    score = {"score": 0.6, "score_se": 0.01, "n": 9, "foreground_fraction": 0.2}
    rows += [("004", text) for text, _, _ in thesis_claims(
        results, {}, {"MITLGAN (thesis head)": score, "MITLGAN (corrected head)": score})]
    curves = [{"model": "MITLGAN (thesis head)", "epoch": epoch, "fid": 100.0} for epoch in (1, 2)]
    rows += [("004", text) for text, _, _ in thesis_claims(
        results, {}, {}, dataset="pokemon", curve_backbone="fid-inception", curves=curves)]
    return {claim_id(document, text) for document, text in rows}


def test_every_claim_a_report_emits_is_in_the_catalogue_with_its_quotation_and_place():
    catalogue = load_catalogue()
    emitted = _emitted()
    assert len(emitted) >= 35
    missing = sorted(emitted - set(catalogue))
    assert not missing, f"claims not in reproductions/claims_catalogue.json: {missing}"
    for claim in emitted:
        row = catalogue[claim]
        assert row["quote"].strip() and row["place"].strip(), claim
        assert row["document"] == claim[:3] and "status" not in row
    # the rest are the documents' claims no reproduction decides yet, said so
    others = set(catalogue) - emitted
    assert all(catalogue[claim].get("status") == "not run here yet" for claim in others)
    assert "000-a-dcgan-generates-celeba-faces" in emitted  # --network tutorial
    assert "--network tutorial" in catalogue["000-a-dcgan-generates-celeba-faces"]["command"]
