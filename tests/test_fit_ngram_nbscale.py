"""benchmarks/fit_ngram.py --nbscale: the naive-Bayes log-count ratios that scale the L2."""

import argparse
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import fit_ngram  # noqa: E402

ROWS = [["滚", "你"], ["滚", "滚"], ["你"], ["您", "你"], ["您"], []]
Y = np.array([1, 1, 1, 0, 0, 0], dtype=float)
VOCAB = {"滚": 0, "你": 1, "您": 2}


def test_ratio_sign_follows_the_class_a_feature_is_seen_in():
    r = fit_ngram.nb_ratio(ROWS, Y, VOCAB, 1.0)
    assert r[0] > 0 > r[2]
    # 你 is in two rude rows and one polite row: some evidence of rudeness, less than 滚
    assert 0 < r[1]


def test_ratio_counts_a_feature_once_per_row():
    doubled = [["滚", "滚", "滚"] if row == ["滚", "滚"] else row for row in ROWS]
    assert np.allclose(fit_ngram.nb_ratio(ROWS, Y, VOCAB, 1.0), fit_ngram.nb_ratio(doubled, Y, VOCAB, 1.0))


def test_ratio_is_exact_with_hand_counts():
    # rude rows hold 滚 2, 你 2, 您 0 (+1 each: 3, 3, 1 of 7); the others 0, 1, 2 (+1: 1, 2, 3 of 6)
    r = fit_ngram.nb_ratio(ROWS, Y, VOCAB, 1.0)
    assert np.allclose(r, np.log(np.array([3, 3, 1]) / 7) - np.log(np.array([1, 2, 3]) / 6))


def test_l2_is_the_option_without_nbscale_and_divided_by_the_clipped_square_with_it():
    plain = argparse.Namespace(l2=1e-4, nbscale=None, nb_clip=[0.05, 20.0])
    assert fit_ngram._l2(ROWS, Y, VOCAB, plain) == 1e-4
    scaled = argparse.Namespace(l2=1e-4, nbscale=1.0, nb_clip=[0.05, 20.0])
    r = fit_ngram.nb_ratio(ROWS, Y, VOCAB, 1.0)
    assert np.allclose(fit_ngram._l2(ROWS, Y, VOCAB, scaled), 1e-4 / np.clip(r * r, 0.05, 20.0))
    tight = argparse.Namespace(l2=1e-4, nbscale=1.0, nb_clip=[1.0, 1.0])
    assert np.allclose(fit_ngram._l2(ROWS, Y, VOCAB, tight), 1e-4)


def test_sarcasm_share_groups_the_jokes_at_the_customer_and_nothing_else():
    # --sarcasm-share (refit AH, refused: benchmarks/RESULTS.md, session of 2026-12-04 17:53 UTC)
    on = argparse.Namespace(sarcasm_share=0.128)
    off = argparse.Namespace(sarcasm_share=None)
    items = {family: fit_ngram.Item("t1", 1, "你真行", family)
             for family in ("sarcasm", "mock_praise", "irony_q", "body_shaming", "blame", "impatience")}
    assert {f for f, it in items.items() if fit_ngram._rude_group(it, on) == "rude-sarcasm"} == {
        "sarcasm", "mock_praise", "irony_q", "body_shaming"}
    assert {fit_ngram._rude_group(it, off) for it in items.values()} == {"rude"}
