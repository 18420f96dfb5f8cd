"""Server-rendered pages: member app, operator and merchant consoles, public explorer.

Jinja2 templates with htmx for partial updates; Chart.js and htmx are vendored under
static/vendor and served from the installed package (deployments are often offline).
Translations use gettext catalogs maintained with Babel (zh-CN first, English).
"""
