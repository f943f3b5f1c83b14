"""Sources cited by the shipped dataset get their publisher's name, title and date (fixtures/sources.csv), replacing
the bare domain the first loads wrote as publisher. Only rows an editor has not changed since (publisher still the
domain) are updated, each with a history record saying why; the values are frozen here as the file gave them."""

from urllib.parse import urlsplit

from django.db import migrations
from django.utils import timezone

REASON = "Dataset correction: publisher, title and date (fixtures/sources.csv)"

# (url, title, publisher, published_on) as fixtures/sources.csv gave them when this migration was written.
SOURCES = [
    (
        "https://www.scpr.org/blogs/multiamerican/2011/08/05/7525/the-letter-from-ice-terminating-all-existing-secur/",
        "",
        "Southern California Public Radio",
        "2011-08-05",
    ),
    (
        "http://www.ccrjustice.org/home/press-center/press-releases/dc-district-council-today-unanimously-introduces-legislation-limit",
        "",
        "Center for Constitutional Rights",
        "",
    ),
    (
        "https://legistar.council.nyc.gov/LegislationDetail.aspx?GUID=31B8BBB6-65E5-45F7-A9BF-D30606F35A6F&ID=803616",
        "",
        "New York City Council",
        "",
    ),
    (
        "https://www.nilc.org/issues/immigration-enforcement/scomm-no-rules-of-road-2011-03-0/?share=twitter",
        "",
        "National Immigration Law Center",
        "",
    ),
    (
        "http://www.sfbg.com/politics/2011/05/04/illinois-pulls-out-secure-communities",
        "",
        "San Francisco Bay Guardian",
        "2011-05-04",
    ),
    (
        "http://readme.readmedia.com/Governor-Paterson-Announces-Signing-of-a-New-Secure-Communities-Agreement/1813715",
        "",
        "ReadMedia",
        "2010-12-30",
    ),
    ("http://www.allgov.com/news?news=842644", "", "AllGov", ""),
    (
        "https://www.chicagotribune.com/news/ct-xpm-2011-05-05-ct-met-state-dream-act-0505-20110504-story.html",
        "",
        "Chicago Tribune",
        "",
    ),
    ("https://www.lexology.com/library/detail.aspx?g=5eca8198-1694-4c3e-bd1a-2cdb48838a94", "", "Lexology", ""),
    ("https://council.nyc.gov/press/2011/06/01/874/", "", "New York City Council", "2011-06-01"),
    (
        "https://www.democracynow.org/2011/6/2/headlines/ny_suspends_role_in_secure_communities_program",
        "",
        "Democracy Now!",
        "2011-06-02",
    ),
    (
        "http://boston.cbslocal.com/2011/06/06/gov-patrick-decides-mass-wont-sign-onto-immigration-check-program/",
        "",
        "CBS Boston",
        "2011-06-06",
    ),
    (
        "http://www.miracoalition.org/news/228-scomm",
        "Governor Patrick decides not to sign onto Secure Communities",
        "MIRA Coalition",
        "2011-06-06",
    ),
    ("https://www.nilc.org/scomm-ltr-morton-to-govmarkwell-2011-08-05/", "", "National Immigration Law Center", ""),
    (
        "https://www.aila.org/advo-media/press-releases/2011/ice-announces-secure-communities-imposed-on-states",
        "",
        "American Immigration Lawyers Association",
        "",
    ),
    ("http://www.oregonir.org/issues/secure-communities-program-now-statewide-oregon", "", "", ""),
    (
        "http://www.rightsworkinggroup.org/content/dc-council-stands-against-secure-communities",
        "",
        "Rights Working Group",
        "",
    ),
    ("http://www.colorlines.com/articles/dc-defies-federal-orders-implement-deportation-program", "", "Colorlines", ""),
    (
        "https://www.scribd.com/document/247780884/2014-Nov-DOJ-Memos-Ending-Secure-Communities-Program",
        "",
        "Scribd",
        "",
    ),
    ("http://www.notonemoredeportation.com/2014/11/20/dhs-end-secure-communities-begin-pep/", "", "", "2014-11-20"),
    (
        "https://encycloreader.org/r/wikipedia.php?q=Priority_Enforcement_Program",
        "Priority Enforcement Program (Wikipedia article)",
        "EncycloReader",
        "",
    ),
    ("http://cryer.org.uk/Secure_Communities_and_administrative_immigration_policies", "", "", ""),
    (
        "https://archive.kpcc.org/blogs/multiamerican/2011/08/05/7475/ice-rescinds-secure-communities-moas-allowing-cont/",
        "",
        "Southern California Public Radio",
        "2011-08-05",
    ),
    ("https://docslib.org/doc/8041273/toolkit-for-action-stop-secure-communities-in-new-york", "", "DocsLib", ""),
    ("https://sfbgarchive.48hills.org/?p=21440", "", "San Francisco Bay Guardian", ""),
    (
        "https://www.deportationnation.org/2011/05/illinois-governor-terminates-secure-communities-agreement-first-state-to-withdraw-from-program/",
        "",
        "Deportation Nation",
        "",
    ),
    (
        "https://m.washingtonexaminer.com/dc-bill-would-undermine-terrorist-investigations-police-say",
        "",
        "Washington Examiner",
        "",
    ),
    (
        "https://www.denverpost.com/2011/01/04/ritter-signs-on-to-secure-communities-amid-jeers-and-cheers/",
        "",
        "The Denver Post",
        "2011-01-04",
    ),
    ("https://www.chieftain.com/44ddffc6-1890-11e0-85b4-001cc4c03286.html", "", "The Pueblo Chieftain", ""),
    ("http://www.scribd.com/doc/46332917/Secure-Communities-MOA-Colorado-Final-1", "", "Scribd", ""),
    (
        "https://www.denverpost.com/2011/08/12/colorados-pact-with-ice-becoming-national-template/",
        "",
        "The Denver Post",
        "2011-08-12",
    ),
    ("https://www.ri.gov/press/view/12974", "", "State of Rhode Island", ""),
    ("https://ri.gov/press/view/12984", "", "State of Rhode Island", ""),
    ("https://www.theindy.org/a/385", "", "", ""),
    ("http://rioag.blogspot.com/2011/02/cracking-down-on-criminals-in-ocean.html", "", "", "2011-02-02"),
    (
        "http://altopolimigra.com/2011/06/06/massachusetts-gov-patrick-letter-to-marc-rapp-icedhs-regarding-opt-out-of-s-comm/",
        "",
        "",
        "2011-06-06",
    ),
    (
        "http://www.theolympian.com/2010/11/30/1457045/washington-state-wont-join-us.html",
        "",
        "The Olympian",
        "2010-11-30",
    ),
    (
        "https://archives.sfweekly.com/thesnitch/2010/12/01/washington-first-state-to-spurn-feds-secure-communities-fingerprinting-program",
        "",
        "SF Weekly",
        "2010-12-01",
    ),
    ("http://www.seattleweekly.com/dailyweekly/2011/05/secure_communities_controversi.php", "", "Seattle Weekly", ""),
    ("https://archive.org/details/ICE-FOIA-proactive-disclosures", "", "Internet Archive", ""),
    (
        "http://www.deportationnation.org/2010/09/rapid-spread-of-secure-communities-may-ease-up/",
        "Rapid Spread of Secure Communities May Ease Up",
        "Deportation Nation",
        "",
    ),
    (
        "https://www.washingtontimes.com/news/2011/aug/8/dc-may-be-forced-to-enrol-in-immigrant-program/",
        "D.C. may be forced to enroll in immigrant program",
        "The Washington Times",
        "2011-08-08",
    ),
    (
        "https://www.fi2w.org/despite-state-concerns-u-s-presses-ahead-with-secure-communities/",
        "Despite State Concerns, U.S. Presses Ahead with Secure Communities",
        "Feet in 2 Worlds",
        "2011-08-06",
    ),
    ("https://prospect.org/article/cuomo-s-prison-break", "Cuomo's Prison Break", "The American Prospect", ""),
    (
        "http://www.nevadanewsbureau.com/2011/08/11/nevada-groups-criticize-u-s-immigration-agency-on-%E2%80%98secure-communities%E2%80%99-decision/",
        "Nevada Groups Criticize U.S. Immigration Agency On 'Secure Communities' Decision",
        "Nevada News Bureau",
        "2011-08-11",
    ),
    (
        "https://www.latimes.com/world/la-xpm-2011-aug-06-la-na-secure-communities-20110806-story.html",
        "States can't opt out of Secure Communities program",
        "Los Angeles Times",
        "2011-08-06",
    ),
    (
        "http://www.fiercegovernmentit.com/story/ice-drops-secure-communities-agreements-states-says-participation-mandatory/2011-08-08",
        "ICE drops Secure Communities agreements with states, says participation is mandatory",
        "FierceGovernmentIT",
        "2011-08-08",
    ),
    (
        "https://www.activistpost.com/2011/08/ice-to-states-participation-in-secure.html",
        "ICE To States: Participation In Secure Communities Mandatory",
        "Activist Post (reprinting Homeland Security Today, Mickey McCarter)",
        "",
    ),
    (
        "https://ivener.com/2011/08/15/ice-declares-secure-communities-mandatory-not-optional/",
        "ICE Declares 'Secure Communities' Mandatory, Not Optional",
        "Mark A Ivener, A Law Corporation",
        "2011-08-15",
    ),
]


def _host(url):
    return (urlsplit(url).hostname or "").removeprefix("www.")


def forwards(apps, schema_editor):
    Source = apps.get_model("jurisdictions", "Source")
    HistoricalSource = apps.get_model("jurisdictions", "HistoricalSource")
    now = timezone.now()
    fields = ["id", "key", "title", "publisher", "url", "archived_url", "published_on", "note"]
    for url, title, publisher, published_on in SOURCES:
        source = Source.objects.filter(url=url).first()
        if source is None or source.publisher != _host(url):
            continue
        source.publisher = publisher
        # The first loads wrote a lead's "Publisher: Title (date)" as the title: keep only the title part.
        if title and (not source.title or title in source.title):
            source.title = title
        if published_on and source.published_on is None:
            source.published_on = published_on
        source.save()
        HistoricalSource.objects.create(
            **{name: getattr(source, name) for name in fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
        )


class Migration(migrations.Migration):
    dependencies = [("jurisdictions", "0006_link_check")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
