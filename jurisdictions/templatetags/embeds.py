"""`{% embed_box unit_or_state %}`: the "Embed this" box on county and state pages (iframe code to copy, preview
link, oEmbed address); `{% oembed_link unit_or_state %}`: the oEmbed discovery link for the page's head."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from jurisdictions import embeds

register = template.Library()


def _card(context, record) -> tuple[str, str, str]:
    """(card path with the page's as_of, title, page path) for a Jurisdiction or a State."""
    request = context["request"]
    as_of = getattr(request, "as_of", None)
    query = f"?as_of={as_of:%Y-%m-%d}" if as_of else ""
    if hasattr(record, "fips") and hasattr(record, "state_id"):
        path = reverse("jurisdictions:jurisdiction_card", args=[record.fips])
        title = gettext("Secure Communities in %(name)s, %(state)s") % {"name": record.name, "state": record.state_id}
    else:
        path = reverse("jurisdictions:state_card", args=[record.postal])
        title = gettext("Secure Communities in %(name)s") % {"name": record.name}
    return path + query, title, record.get_absolute_url() + query


@register.inclusion_tag("embeds/_embed_this.html", takes_context=True)
def embed_box(context, record):
    request = context["request"]
    card_path, title, _ = _card(context, record)
    height = embeds.frame_height(request, card_path)
    return {
        "code": embeds.embed_code(request, card_path, title, height=height),
        "card_url": request.build_absolute_uri(card_path),
        "height": height,
    }


@register.simple_tag(takes_context=True)
def oembed_link(context, record):
    request = context["request"]
    _, title, page_path = _card(context, record)
    href = (
        request.build_absolute_uri(reverse("oembed"))
        + "?"
        + urlencode({"url": request.build_absolute_uri(page_path), "format": "json"})
    )
    return format_html('<link rel="alternate" type="application/json+oembed" href="{}" title="{}">', href, title)


@register.filter
def short_title(source) -> str:
    """A source's title up to its first parenthesis, for a one-line citation on a card (the full title is kept
    in the link's tooltip and on the record's page)."""
    label = source.label
    head = label.split(" (", 1)[0].strip()
    return head if len(head) >= 12 else label
