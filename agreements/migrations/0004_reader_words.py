# ruff: noqa: E501 (the shipped texts, frozen as they were)
"""Databases seeded before the shipped texts were reworded for readers (commit 7b2dc5a: statewide events in words
instead of the dataset's column names, agreement notes without research-log openings, disputed activations
explained without column names) get the new texts, so no page shows an internal name. Only rows still holding the
text the load wrote are changed (an editor's text is kept), each with a history record saying why; the texts are
frozen here as the shipped files gave them."""

from django.db import migrations
from django.utils import timezone

REASON = "Dataset correction: texts reworded for readers"

# (occurred_on, state or "", kind, summary as first shipped, summary now, summary_es now)
EVENTS = [
    (
        "2010-04-20",
        "DE",
        "other",
        "All counties in the dataset for DE activated (dataset date_statewide_secure); first county activation there "
        "2010-04-20",
        "Every county of Delaware in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Delaware del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2010-06-15",
        "VA",
        "other",
        "All counties in the dataset for VA activated (dataset date_statewide_secure); first county activation there "
        "2009-03-09",
        "Every county of Virginia in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Virginia del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2010-06-22",
        "FL",
        "other",
        "All counties in the dataset for FL activated (dataset date_statewide_secure); first county activation there "
        "2009-01-22",
        "Every county of Florida in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Florida del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2010-09-28",
        "TX",
        "other",
        "All counties in the dataset for TX activated (dataset date_statewide_secure); first county activation there "
        "2008-10-27",
        "Every county of Texas in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Texas del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2010-10-26",
        "AZ",
        "other",
        "All counties in the dataset for AZ activated (dataset date_statewide_secure); first county activation there "
        "2008-12-23",
        "Every county of Arizona in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Arizona del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2010-10-26",
        "WV",
        "other",
        "All counties in the dataset for WV activated (dataset date_statewide_secure); first county activation there "
        "2010-10-26",
        "Every county of West Virginia in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de West Virginia del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-01-11",
        "WI",
        "other",
        "All counties in the dataset for WI activated (dataset date_statewide_secure); first county activation there "
        "2011-01-11",
        "Every county of Wisconsin in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Wisconsin del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-02-08",
        "NM",
        "other",
        "All counties in the dataset for NM activated (dataset date_statewide_secure); first county activation there "
        "2009-06-24",
        "Every county of New Mexico in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de New Mexico del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-02-23",
        "CA",
        "other",
        "All counties in the dataset for CA activated (dataset date_statewide_secure); first county activation there "
        "2009-05-26",
        "Every county of California in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de California del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-03-15",
        "NC",
        "other",
        "All counties in the dataset for NC activated (dataset date_statewide_secure); first county activation there "
        "2008-11-12",
        "Every county of North Carolina in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de North Carolina del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-03-22",
        "RI",
        "other",
        "All counties in the dataset for RI activated (dataset date_statewide_secure); first county activation there "
        "2011-03-22",
        "Every county of Rhode Island in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de Rhode Island del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-07-12",
        "OH",
        "other",
        "All counties in the dataset for OH activated (dataset date_statewide_secure); first county activation there "
        "2010-01-19",
        "Every county of Ohio in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Ohio del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2011-09-20",
        "HI",
        "other",
        "All counties in the dataset for HI activated (dataset date_statewide_secure); first county activation there "
        "2010-04-13",
        "Every county of Hawaii in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Hawaii del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2011-09-20",
        "SC",
        "other",
        "All counties in the dataset for SC activated (dataset date_statewide_secure); first county activation there "
        "2010-09-08",
        "Every county of South Carolina in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de South Carolina del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-09-27",
        "MI",
        "other",
        "All counties in the dataset for MI activated (dataset date_statewide_secure); first county activation there "
        "2009-10-27",
        "Every county of Michigan in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Michigan del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-09-27",
        "OR",
        "other",
        "All counties in the dataset for OR activated (dataset date_statewide_secure); first county activation there "
        "2010-04-06",
        "Every county of Oregon in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Oregon del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2011-11-08",
        "MO",
        "other",
        "All counties in the dataset for MO activated (dataset date_statewide_secure); first county activation there "
        "2010-09-21",
        "Every county of Missouri in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Missouri del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-11-15",
        "OK",
        "other",
        "All counties in the dataset for OK activated (dataset date_statewide_secure); first county activation there "
        "2009-11-03",
        "Every county of Oklahoma in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Oklahoma del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-11-22",
        "MS",
        "other",
        "All counties in the dataset for MS activated (dataset date_statewide_secure); first county activation there "
        "2010-07-20",
        "Every county of Mississippi in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de Mississippi del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-11-29",
        "ID",
        "other",
        "All counties in the dataset for ID activated (dataset date_statewide_secure); first county activation there "
        "2010-06-03",
        "Every county of Idaho in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Idaho del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2011-12-06",
        "GA",
        "other",
        "All counties in the dataset for GA activated (dataset date_statewide_secure); first county activation there "
        "2009-11-17",
        "Every county of Georgia in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Georgia del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-12-13",
        "IN",
        "other",
        "All counties in the dataset for IN activated (dataset date_statewide_secure); first county activation there "
        "2011-04-05",
        "Every county of Indiana in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Indiana del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2011-12-20",
        "UT",
        "other",
        "All counties in the dataset for UT activated (dataset date_statewide_secure); first county activation there "
        "2010-03-23",
        "Every county of Utah in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Utah del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2011-12-28",
        "KS",
        "other",
        "All counties in the dataset for KS activated (dataset date_statewide_secure); first county activation there "
        "2010-12-21",
        "Every county of Kansas in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Kansas del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2012-01-10",
        "TN",
        "other",
        "All counties in the dataset for TN activated (dataset date_statewide_secure); first county activation there "
        "2010-06-17",
        "Every county of Tennessee in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Tennessee del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-01-24",
        "IA",
        "other",
        "All counties in the dataset for IA activated (dataset date_statewide_secure); first county activation there "
        "2010-08-31",
        "Every county of Iowa in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Iowa del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2012-02-07",
        "MN",
        "other",
        "All counties in the dataset for MN activated (dataset date_statewide_secure); first county activation there "
        "2012-02-07",
        "Every county of Minnesota in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Minnesota del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-02-22",
        "CT",
        "other",
        "All counties in the dataset for CT activated (dataset date_statewide_secure); first county activation there "
        "2010-06-29",
        "Every county of Connecticut in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de Connecticut del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-02-22",
        "MD",
        "other",
        "All counties in the dataset for MD activated (dataset date_statewide_secure); first county activation there "
        "2009-12-22",
        "Every county of Maryland in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Maryland del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-02-22",
        "NJ",
        "other",
        "All counties in the dataset for NJ activated (dataset date_statewide_secure); first county activation there "
        "2012-02-22",
        "Every county of New Jersey in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de New Jersey del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-03-06",
        "NE",
        "other",
        "All counties in the dataset for NE activated (dataset date_statewide_secure); first county activation there "
        "2010-08-17",
        "Every county of Nebraska in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Nebraska del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-03-20",
        "KY",
        "other",
        "All counties in the dataset for KY activated (dataset date_statewide_secure); first county activation there "
        "2010-10-05",
        "Every county of Kentucky in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Kentucky del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-04-03",
        "MT",
        "other",
        "All counties in the dataset for MT activated (dataset date_statewide_secure); first county activation there "
        "2010-07-27",
        "Every county of Montana in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Montana del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-04-03",
        "WA",
        "other",
        "All counties in the dataset for WA activated (dataset date_statewide_secure); first county activation there "
        "2011-06-21",
        "Every county of Washington in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de Washington del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-04-10",
        "AK",
        "other",
        "All counties in the dataset for AK activated (dataset date_statewide_secure); first county activation there "
        "2012-04-10",
        "Every county of Alaska in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Alaska del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2012-04-17",
        "SD",
        "other",
        "All counties in the dataset for SD activated (dataset date_statewide_secure); first county activation there "
        "2010-06-22",
        "Every county of South Dakota in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de South Dakota del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-04-26",
        "ND",
        "other",
        "All counties in the dataset for ND activated (dataset date_statewide_secure); first county activation there "
        "2012-04-26",
        "Every county of North Dakota in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de North Dakota del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-01",
        "LA",
        "other",
        "All counties in the dataset for LA activated (dataset date_statewide_secure); first county activation there "
        "2009-11-17",
        "Every county of Louisiana in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Louisiana del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-01",
        "NV",
        "other",
        "All counties in the dataset for NV activated (dataset date_statewide_secure); first county activation there "
        "2010-07-13",
        "Every county of Nevada in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Nevada del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2012-05-08",
        "NH",
        "other",
        "All counties in the dataset for NH activated (dataset date_statewide_secure); first county activation there "
        "2012-05-08",
        "Every county of New Hampshire in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de New Hampshire del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-15",
        "AR",
        "other",
        "All counties in the dataset for AR activated (dataset date_statewide_secure); first county activation there "
        "2010-08-17",
        "Every county of Arkansas in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Arkansas del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-15",
        "MA",
        "other",
        "All counties in the dataset for MA activated (dataset date_statewide_secure); first county activation there "
        "2008-11-05",
        "Every county of Massachusetts in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de Massachusetts del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-15",
        "NY",
        "other",
        "All counties in the dataset for NY activated (dataset date_statewide_secure); first county activation there "
        "2011-01-11",
        "Every county of New York in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de New York del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-15",
        "WY",
        "other",
        "All counties in the dataset for WY activated (dataset date_statewide_secure); first county activation there "
        "2011-01-19",
        "Every county of Wyoming in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Wyoming del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-22",
        "CO",
        "other",
        "All counties in the dataset for CO activated (dataset date_statewide_secure); first county activation there "
        "2011-02-15",
        "Every county of Colorado in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Colorado del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-22",
        "VT",
        "other",
        "All counties in the dataset for VT activated (dataset date_statewide_secure); first county activation there "
        "2012-05-22",
        "Every county of Vermont in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Vermont del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-05-30",
        "ME",
        "other",
        "All counties in the dataset for ME activated (dataset date_statewide_secure); first county activation there "
        "2012-05-30",
        "Every county of Maine in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Maine del conjunto de datos por condado quedan activados en esta fecha, la que el conjunto "
        "de datos da para todo el estado",
    ),
    (
        "2012-05-30",
        "PA",
        "other",
        "All counties in the dataset for PA activated (dataset date_statewide_secure); first county activation there "
        "2008-12-16",
        "Every county of Pennsylvania in the county dataset is activated by this date, the dataset's date for the whole "
        "state",
        "Todos los condados de Pennsylvania del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2012-06-05",
        "DC",
        "other",
        "All counties in the dataset for DC activated (dataset date_statewide_secure); first county activation there "
        "2012-06-05",
        "Every county of District of Columbia in the county dataset is activated by this date, the dataset's date for the "
        "whole state",
        "Todos los condados de District of Columbia del conjunto de datos por condado quedan activados en esta fecha, la "
        "que el conjunto de datos da para todo el estado",
    ),
    (
        "2013-01-22",
        "AL",
        "other",
        "All counties in the dataset for AL activated (dataset date_statewide_secure); first county activation there "
        "2011-04-26",
        "Every county of Alabama in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Alabama del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
    (
        "2013-01-22",
        "IL",
        "other",
        "All counties in the dataset for IL activated (dataset date_statewide_secure); first county activation there "
        "2009-11-24",
        "Every county of Illinois in the county dataset is activated by this date, the dataset's date for the whole state",
        "Todos los condados de Illinois del conjunto de datos por condado quedan activados en esta fecha, la que el "
        "conjunto de datos da para todo el estado",
    ),
]

# (state, state_party, notes as first shipped, notes now, notes_es now)
AGREEMENTS = [
    (
        "CA",
        "California Department of Justice",
        "Confirms the known date. KPCC quotes 'the agreement between Homeland Security and the California Department of "
        "Justice, dated January 23, 2009'. Found no state-side termination before ICE's 2011-08-05 letter.",
        "KPCC quotes 'the agreement between Homeland Security and the California Department of Justice, dated January 23, "
        "2009'. Found no state-side termination before ICE's 2011-08-05 letter.",
        "KPCC cita “the agreement between Homeland Security and the California Department of Justice, dated January 23, "
        "2009”. No se halló ninguna terminación por parte del estado antes de la carta de ICE del 5 de agosto de 2011.",
    ),
    (
        "NY",
        "New York State Division of Criminal Justice Services",
        "Confirms the known date. NYC Council Res. 547-2010 says DCJS entered into the MOA on May 18, 2010. It was "
        "replaced by the revised MOA of 2010-12-28 (next row), so no separate end date is given.",
        "NYC Council Res. 547-2010 says DCJS entered into the MOA on May 18, 2010. It was replaced by the revised MOA of "
        "2010-12-28 (next row), so no separate end date is given.",
        "La resolución 547-2010 del Concejo Municipal de la Ciudad de Nueva York dice que DCJS firmó el MOA el 18 de mayo "
        "de 2010. Lo sustituyó el MOA revisado del 28 de diciembre de 2010 (fila siguiente), así que no se da una fecha de "
        "fin aparte.",
    ),
    (
        "NY",
        "New York State Division of Criminal Justice Services (revised MOA negotiated by Gov. Paterson)",
        "Confirms the known date. The Paterson press release (12/30/2010) says the new agreement was 'signed December 28'. "
        "A June 1, 2011 letter to DHS from Cuomo's counsel Mylan Denerstein suspended New York's participation.",
        "The Paterson press release (12/30/2010) says the new agreement was 'signed December 28'. A June 1, 2011 letter to "
        "DHS from Cuomo's counsel Mylan Denerstein suspended New York's participation.",
        "El comunicado de prensa de Paterson (30 de diciembre de 2010) dice que el nuevo acuerdo fue “signed December 28”. "
        "Una carta al DHS del 1 de junio de 2011, de la asesora jurídica de Cuomo Mylan Denerstein, suspendió la "
        "participación de Nueva York.",
    ),
    (
        "IL",
        "Illinois State Police",
        "Confirms the known month. Gov. Quinn's May 4, 2011 letter enclosed ISP Director Hiram Grau's notice terminating "
        "the 'November 2009' MOA. The governor's office had already suspended ISP's role on 2010-11-09. The MOA text is on "
        "Scribd (de.scribd.com/document/51581429/Illinois-MOA), but the signature page was not readable.",
        "Gov. Quinn's May 4, 2011 letter enclosed ISP Director Hiram Grau's notice terminating the 'November 2009' MOA. "
        "The governor's office had already suspended ISP's role on 2010-11-09. The MOA text is on Scribd "
        "(de.scribd.com/document/51581429/Illinois-MOA), but the signature page was not readable.",
        "La carta del gobernador Quinn del 4 de mayo de 2011 adjuntaba el aviso del director de ISP, Hiram Grau, que daba "
        "por terminado el MOA de “November 2009”. La oficina del gobernador ya había suspendido el papel de ISP el 9 de "
        "noviembre de 2010. El texto del MOA está en Scribd (de.scribd.com/document/51581429/Illinois-MOA), pero la página "
        "de firmas no se podía leer.",
    ),
    (
        "DC",
        "Metropolitan Police Department (Chief Cathy Lanier)",
        "Confirms the known month. CCR's release of 2010-05-04 says 'Last November, Chief Lanier signed a Memorandum of "
        "Agreement with ICE'. The Council bill of 2010-05-04 was only introduced, so no termination is sourced.",
        "CCR's release of 2010-05-04 says 'Last November, Chief Lanier signed a Memorandum of Agreement with ICE'. The "
        "Council bill of 2010-05-04 was only introduced, so no termination is sourced.",
        "El comunicado de CCR del 4 de mayo de 2010 dice “Last November, Chief Lanier signed a Memorandum of Agreement "
        "with ICE”. El proyecto de ley del Concejo del 4 de mayo de 2010 solo se presentó, así que no hay fuente para una "
        "terminación.",
    ),
    (
        "MA",
        "Massachusetts Executive Office of Public Safety and Security",
        "Never signed. The refusal letter from Secretary Mary Beth Heffernan to ICE's Marc Rapp is dated 2011-06-03; the "
        "refusal was announced 2011-06-06 (the date on file). Patrick had said in Dec 2010 he would sign. Boston was an "
        "earlier pilot site.",
        "Never signed. The refusal letter from Secretary Mary Beth Heffernan to ICE's Marc Rapp is dated 2011-06-03 (the "
        "date recorded here); the refusal was announced 2011-06-06. Patrick had said in Dec 2010 he would sign. Boston was "
        "an earlier pilot site.",
        "Nunca se firmó. La carta de rechazo de la secretaria Mary Beth Heffernan a Marc Rapp, de ICE, tiene fecha del 3 "
        "de junio de 2011 (la fecha que se registra aquí); el rechazo se anunció el 6 de junio de 2011. Patrick había "
        "dicho en diciembre de 2010 que firmaría. Boston había sido antes un lugar piloto.",
    ),
]

DISPUTED_OLD = "The source's own fields disagree: date_secure gives "
DISPUTED_NOTE = (
    "The county dataset gives two dates for this county: its activation date, recorded here, and another "
    "in its separate month, day and year fields, shown as the disputed alternative."
)
DISPUTED_NOTE_ES = (
    "El conjunto de datos por condado da dos fechas para este condado: su fecha de activación, la que se "
    "registra aquí, y otra en sus campos separados de mes, día y año, que se muestra como alternativa en "
    "disputa."
)


def _record(apps, model_name, obj, now, links=None):
    """The history record of this change (and, for a model whose links are tracked, the links it keeps)."""
    app = obj._meta.app_label
    historical = apps.get_model(app, f"Historical{model_name}")
    fields = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    record = historical.objects.create(**fields, history_date=now, history_type="~", history_change_reason=REASON)
    if links:
        through = apps.get_model(app, f"Historical{model_name}_sources")
        owner = model_name.lower()
        for link in links:
            through.objects.create(id=link.id, history=record, source_id=link.source_id, **{f"{owner}_id": obj.pk})


def forwards(apps, schema_editor):
    Event = apps.get_model("agreements", "Event")
    Agreement = apps.get_model("agreements", "Agreement")
    StatusChange = apps.get_model("jurisdictions", "StatusChange")
    now = timezone.now()
    for occurred_on, state, kind, old, summary, summary_es in EVENTS:
        for event in Event.objects.filter(occurred_on=occurred_on, state_id=state or None, kind=kind, summary=old):
            event.summary, event.summary_es = summary, summary_es
            event.save()
            _record(apps, "Event", event, now, Event.sources.through.objects.filter(event_id=event.pk))
    for state, party, old, notes, notes_es in AGREEMENTS:
        for agreement in Agreement.objects.filter(state_id=state, state_party=party, notes=old):
            agreement.notes, agreement.notes_es = notes, notes_es
            agreement.save()
            links = Agreement.sources.through.objects.filter(agreement_id=agreement.pk)
            _record(apps, "Agreement", agreement, now, links)
    for change in StatusChange.objects.filter(note__startswith=DISPUTED_OLD):
        change.note, change.note_es = DISPUTED_NOTE, DISPUTED_NOTE_ES
        change.save()
        _record(apps, "StatusChange", change, now)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0003_spanish_texts"),
        ("jurisdictions", "0008_import_status_label"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
