"""Write the stratified, clustered test survey used by the R cross-checks.

Run from the repository root: ``python tests/results/survey/make_data.py``. The data are
SYNTHETIC (socmob's barometer generator, seed 16): 2 waves × 400 respondents, 12 strata
per wave, about 40 PSUs per wave, with item non-response; ``fpc_psu`` is a made-up
population count of PSUs per stratum (4 × those sampled) to exercise the finite
population correction.
"""

from __future__ import annotations

from pathlib import Path

from socmob.synth.barometer import synth_barometer

HERE = Path(__file__).resolve().parent


def main() -> None:
    made = synth_barometer(400, waves=2, seed=16, cluster_size=10)
    frame = made.frame.drop(columns=["synthetic"])
    frame["fpc_psu"] = frame.groupby("stratum")["psu"].transform("nunique") * 4
    frame.to_csv(HERE / "barometer_test.csv", index=False)
    made.margins.to_csv(HERE / "barometer_test_margins.csv", index=False)


if __name__ == "__main__":
    main()
