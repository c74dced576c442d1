"""The construction mini-language (``socmob.place.composite.specs``): every form of each
option, the parameters it gives, and one-line errors naming the option."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import RESULTS

from socmob.errors import InputError
from socmob.place.composite import Coin
from socmob.place.composite.specs import (
    CoinSpec,
    parse_aggregate,
    parse_alternatives,
    parse_impute,
    parse_normalise,
    parse_numbers,
    parse_treat,
    parse_weight_noise,
)

REF = RESULTS / "coinr"


@pytest.mark.parametrize(("parse", "text", "params"), [
    (parse_impute, "mean", {"method": "mean", "group": None}),
    (parse_impute, "group_median:EurAsia_group",
     {"method": "group_median", "group": "EurAsia_group"}),
    (parse_treat, "winsorise", {"method": "winsorise"}),
    (parse_normalise, "minmax", {"method": "minmax"}),
    (parse_normalise, " minmax : 1, 100 ", {"method": "minmax", "l_u": (1.0, 100.0)}),
    (parse_normalise, "zscore:10,2", {"method": "zscore", "m_sd": (10.0, 2.0)}),
    (parse_normalise, "dist2ref:CHE", {"method": "dist2ref", "iref": "CHE"}),
    (parse_normalise, "prank", {"method": "prank"}),
    (parse_aggregate, "amean", {"method": "amean"}),
    (parse_aggregate, "gmean:1", {"method": "gmean", "offset": 1.0}),
    (parse_aggregate, "genmean:-1", {"method": "genmean", "p": -1.0}),
])
def test_each_form_gives_its_parameters(parse, text, params):
    assert parse(text) == params


@pytest.mark.parametrize(("parse", "text", "words"), [
    (parse_normalise, "minmax:a,b", ["--normalise 'minmax:a,b'", "numbers"]),
    (parse_normalise, "minmax:1", ["--normalise 'minmax:1'", "2 numbers", "minmax:L,U"]),
    (parse_normalise, "minmax:100,1", ["lower end must be below"]),
    (parse_normalise, "zscore:0,0", ["SD must be positive"]),
    (parse_normalise, "minmax:0,inf", ["finite"]),
    (parse_normalise, "rank:3", ["rank takes no parameters"]),
    (parse_normalise, "minmx", ["unknown normalisation method 'minmx'",
                                "did you mean 'minmax'?"]),
    (parse_normalise, "dist2ref", ["needs the reference unit"]),
    (parse_aggregate, "genmean", ["--aggregate 'genmean'", "genmean needs a power"]),
    (parse_aggregate, "amean:2", ["amean takes no parameters"]),
    (parse_aggregate, "median", ["unknown aggregation method"]),
    (parse_impute, "group_mean", ["--impute 'group_mean'", "needs a group column"]),
    (parse_impute, "mean:x", ["mean takes no parameters"]),
    (parse_treat, "log10", ["--treat 'log10'", "unknown treatment"]),
])
def test_mistakes_are_one_line_naming_the_option(parse, text, words):
    with pytest.raises(InputError) as err:
        parse(text)
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_alternatives_numbers_and_weight_noise():
    assert parse_alternatives("minmax:1,100; zscore:10,2;", parse_normalise,
                              option="--normalise-set") == [
        {"method": "minmax", "l_u": (1.0, 100.0)}, {"method": "zscore", "m_sd": (10.0, 2.0)}]
    assert parse_alternatives(None, parse_aggregate, option="--aggregate-set") == []
    with pytest.raises(InputError, match="--aggregate-set 'gmeen'"):
        parse_alternatives("amean;gmeen", parse_aggregate, option="--aggregate-set")
    assert parse_numbers("-1.5,-1,0.5", option="--bands") == (-1.5, -1.0, 0.5)
    with pytest.raises(InputError, match=r"--winmax-set '1,2\.5': needs whole numbers"):
        parse_numbers("1,2.5", option="--winmax-set", integer=True)
    with pytest.raises(InputError, match="--bands ''"):
        parse_numbers("", option="--bands")
    assert parse_weight_noise(0.25, "2,3") == {2: 0.25, 3: 0.25}
    assert parse_weight_noise(0.0, "2,3") == {}
    with pytest.raises(InputError, match=r"--weight-noise '1\.5'"):
        parse_weight_noise(1.5, "2,3")
    with pytest.raises(InputError, match="--noise-levels '0'"):
        parse_weight_noise(0.2, "0")


def test_coin_spec_reproduces_coinr_example_coin():
    # COINr's build_example_coin(): group-mean imputation, screening at 0.9, the defaults
    spec = CoinSpec.parse(impute="group_mean:EurAsia_group", screen=0.9)
    coin = spec.build(Coin.new(pd.read_csv(REF / "asem_iData.csv"),
                               pd.read_csv(REF / "asem_iMeta.csv")))
    assert [s.name for s in coin.log] == ["new", "denominate", "impute", "screen", "treat",
                                          "normalise", "aggregate"]
    assert dict(coin.log[4].params)["winmax"] == 5
    got = coin.results().scores["Index"]
    want = pd.read_csv(REF / "asem_example_coin_Aggregated.csv").set_index("uCode")["Index"]
    np.testing.assert_allclose(got.loc[want.index], want, atol=1e-9)
    with pytest.raises(InputError, match="--screen"):
        CoinSpec.parse(screen=1.5)
    with pytest.raises(InputError, match="--winmax"):
        CoinSpec.parse(winmax=-1)
