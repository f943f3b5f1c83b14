"""`{% capture name %}...{% endcapture %}`: render a piece of template once and use it several times.

base.html wraps the page's title and description blocks in it, so each page's title is written once and shown
in `<title>`, Open Graph and the JSON-LD alike. Blocks inside a capture still override as usual (the node
declares its child nodelist, which is how Django's template inheritance finds blocks).
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Template output, already escaped where it needed to be: safe to show as it is. Set where the template's
        # own variables live, so the whole page sees it.
        context.dicts[0][self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("capture takes one name: {% capture name %}") from None
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, name)
