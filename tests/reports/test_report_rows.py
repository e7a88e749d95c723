"""The CDR report's rows are formatted once in the view (speed, issue 14): the same text the
template's filters gave, cell by cell."""

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.reports.test_reports import OCTOBER

# The row as the template wrote it before the cells were formatted in the view.
FILTERS = Template(
    "{% load ism_format ism_labels reports_format %}{% for cdr in rows %}"
    '{{ cdr.start_time|date:"d/m/Y H:i:s" }}|{{ cdr.line_ref }}|'
    "{% if cdr.customer %}{{ cdr.customer.number }}{% else %}—{% endif %}|"
    '{{ cdr.event_type|event_type_label }}|{{ cdr.called_number|default:"—" }}|'
    '{{ cdr.rate_destination|default:cdr.destination_label|default:"—" }}|'
    '{{ cdr.roaming_country|default:"—" }}|{{ cdr.duration_s|fr_number }}|{{ cdr.volume_bytes|megabytes }}|'
    "{% if not cdr.unrated %}{{ cdr.rated_amount|money }}{% endif %}\n{% endfor %}"
)
CELLS = Template(
    "{% for c in cells %}{{ c.start }}|{{ c.line }}|{{ c.customer }}|{{ c.event_type }}|{{ c.called }}|"
    "{{ c.destination }}|{{ c.roaming }}|{{ c.duration }}|{{ c.volume }}|{{ c.amount }}\n{% endfor %}"
)


def test_report_rows_read_as_the_template_filters_wrote_them(acme_usage, make_user, client_for):
    client = client_for(acme_usage, make_user(acme_usage, "accountant"))
    for page in ("1", "2"):
        response = client.get(reverse("reports:cdr_report"), {**OCTOBER, "page": page})
        rows, cells = response.context["rows"], response.context["cells"]
        assert len(rows) == len(cells) > 0
        with translation.override("fr"):
            assert CELLS.render(Context({"cells": cells})) == FILTERS.render(Context({"rows": rows}))
