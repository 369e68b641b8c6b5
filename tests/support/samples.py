"""Values many test modules share: report headers and dispositions of the sample campaigns."""

from __future__ import annotations

import cloudcontact_results as ccr

#: The reports' headers as the platform writes them, in English and in Russian.
SIMPLE_EN = [column.en for column in ccr.SIMPLE_COLUMNS]
DETAILED_EN = [column.en for column in ccr.DETAILED_COLUMNS]
DETAILED_RU = [column.ru for column in ccr.DETAILED_COLUMNS]

#: A campaign's own final disposition, and two of the system catalogue's.
AGREED = ccr.Disposition("Согласен", code="1", final=True)
NO_ANSWER = ccr.system_disposition("No answer")
BUSY = ccr.system_disposition("Busy")
