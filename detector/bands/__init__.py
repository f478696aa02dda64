"""Channel numbering, band plans, and who operates where.

Channel numbers (pure functions over the 3GPP tables in `detector.bands._tables`):

* GSM ARFCN, TS 45.005 §2: `gsm_arfcn_to_freq`, `gsm_freq_to_arfcn`, `gsm_channels`, `gsm_subband`
* UMTS UARFCN, TS 25.101 §5.4.4: `uarfcn_to_freq`, `freq_to_uarfcn`, `umts_channels`
* LTE EARFCN, TS 36.101 §5.7.3: `earfcn_to_freq`, `freq_to_earfcn`, `lte_channels`, `earfcn_band`
* NR-ARFCN and GSCN, TS 38.104 §5.4.2 / §5.4.3: `nr_arfcn_to_freq`, `freq_to_nr_arfcn`,
  `gscn_to_freq`, `freq_to_gscn`, `nr_channels`, `nr_ssb_rasters`
* Bands: `band_info`, `band_names`, `bands_for_freq`, `canonical_band`

Band names: GSM ``GSM450 GSM480 GSM750 GSM850 GSM900 DCS1800 PCS1900`` (every 900 MHz channel is
``GSM900``; the TS 45.005 sub-bands ``P-GSM900 E-GSM900 R-GSM900 ER-GSM900`` are accepted wherever a
band is asked for), UMTS ``UMTS-1``, LTE ``B3``, NR ``n78``.

Operators and countries (TOML tables in ``data/``, each entry with source and date):
`country_for_mcc`, `operator_for`, `operators_for_mcc`, `blocks_at`; for plots and emission records,
`blocks_between` and `describe_frequency`.

Examples
--------
>>> from detector.bands import gsm_channels, earfcn_to_freq, operator_for
>>> c = gsm_channels(947.4e6)[0]
>>> c.band, c.number, c.link
('GSM900', 62, 'dl')
>>> earfcn_to_freq(1825)
('B3', 1867500000.0)
>>> operator_for("460", "00").name
'China Mobile'
"""

from ._common import BandInfo, Channel
from ._data import (
    Block,
    Country,
    DataFileError,
    Operator,
    blocks,
    blocks_at,
    countries,
    country_for_mcc,
    operator_for,
    operators,
    operators_for_mcc,
)
from ._gsm import gsm_arfcn_to_freq, gsm_channels, gsm_freq_to_arfcn, gsm_subband
from ._lte import earfcn_band, earfcn_to_freq, freq_to_earfcn, lte_channels
from ._nr import freq_to_gscn, freq_to_nr_arfcn, gscn_to_freq, nr_arfcn_to_freq, nr_channels, nr_ssb_rasters
from ._plan import blocks_between, describe_frequency
from ._registry import band_info, band_names, bands_for_freq, canonical_band
from ._umts import freq_to_uarfcn, uarfcn_to_freq, umts_channels

__all__ = [
    "BandInfo",
    "Block",
    "Channel",
    "Country",
    "DataFileError",
    "Operator",
    "band_info",
    "band_names",
    "bands_for_freq",
    "blocks",
    "blocks_at",
    "blocks_between",
    "canonical_band",
    "countries",
    "country_for_mcc",
    "describe_frequency",
    "earfcn_band",
    "earfcn_to_freq",
    "freq_to_earfcn",
    "freq_to_gscn",
    "freq_to_nr_arfcn",
    "freq_to_uarfcn",
    "gscn_to_freq",
    "gsm_arfcn_to_freq",
    "gsm_channels",
    "gsm_freq_to_arfcn",
    "gsm_subband",
    "lte_channels",
    "nr_arfcn_to_freq",
    "nr_channels",
    "nr_ssb_rasters",
    "operator_for",
    "operators",
    "operators_for_mcc",
    "uarfcn_to_freq",
    "umts_channels",
]
