/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "vp-endpoint-db.h"
#include "vp-language-list.h"
#include "vp-reach-page.h"

/* The municipality's overview: one page per question the reports exist to
 * answer (DOMAIN.md), for a period and a set of teams. Every figure shows
 * whether it is exact; an estimated one shows the range that is certain to
 * hold the true value. Charts are drawn here as SVG, each with a text
 * alternative and the same numbers in a table beside it. Nothing on the
 * page needs script, and nothing is loaded from elsewhere. */

typedef struct {
  GString                *out;
  VpReach                *reach;
  const VpReachSelection *sel;
  VpLang                  lang;
  const char             *municipality;
  const char             *view;
  GPtrArray              *installations;
} Page;

#define T(s) vp_text (page->lang, (s))

typedef struct {
  const char *name;
  const char *title;
} View;

static const View views[] = {
  { "reach", N_("How residents are reached") },
  { "early", N_("Early reach") },
  { "language", N_("Language") },
  { "interpreter", N_("Interpreters") },
  { "referrals", N_("Referrals") },
  { "trends", N_("Trends") },
};

gboolean
vp_reach_page_is_view (const char *view)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (g_strcmp0 (views[i].name, view) == 0)
      return TRUE;
  return FALSE;
}

static const char style[] =
  "*{box-sizing:border-box}"
  "body{margin:0;font:16px/1.5 system-ui,'Cantarell','DejaVu Sans',sans-serif;color:#1d1d1d;background:#fafafa}"
  "a{color:#1a5fb4}a:focus,button:focus,select:focus,input:focus,[tabindex]:focus{outline:3px solid #c64600;outline-offset:2px}"
  ".skip{position:absolute;left:-999px}.skip:focus{left:1em;top:1em;background:#fff;padding:.5em;z-index:2}"
  "header{display:flex;flex-wrap:wrap;gap:.5em 1.5em;align-items:center;justify-content:space-between;"
  "background:#1a5fb4;color:#fff;padding:.6em 1em}"
  "header a,header button{color:#fff}header p{margin:0;font-weight:bold}"
  "header a:focus,header button:focus{outline-color:#fff}"
  "header form{margin:0}header button{background:none;border:1px solid #fff;border-radius:4px;padding:.2em .8em;font:inherit;cursor:pointer}"
  ".tools{display:flex;gap:1em;align-items:center;flex-wrap:wrap}"
  "nav ul{list-style:none;margin:0;padding:0 1em;display:flex;flex-wrap:wrap;gap:.2em 1.2em;background:#fff;border-bottom:1px solid #ccc}"
  "nav a{display:inline-block;padding:.5em 0;text-decoration:none}nav a[aria-current]{font-weight:bold;border-bottom:3px solid #1a5fb4}"
  "main{max-width:72em;margin:0 auto;padding:1em}"
  "h1{font-size:1.6em;margin:.3em 0}h2{font-size:1.25em;margin:1.5em 0 .5em}"
  "form.filters{display:flex;flex-wrap:wrap;gap:.6em 1em;align-items:flex-end;background:#fff;border:1px solid #ccc;border-radius:6px;padding:.8em}"
  "form.filters label{display:flex;flex-direction:column;font-weight:bold;font-size:.9em}"
  "select,input,button{font:inherit;max-width:100%}select,input{padding:.3em}"
  "button.primary{background:#1a5fb4;color:#fff;border:0;border-radius:4px;padding:.4em 1.2em;cursor:pointer}"
  ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(13em,1fr));gap:.8em;margin:1em 0;padding:0}"
  ".cards div{background:#fff;border:1px solid #ccc;border-radius:6px;padding:.7em}"
  ".cards dt{font-size:.9em}.cards dd{margin:0;font-size:1.5em;font-weight:bold}"
  ".range{font-size:.8em;font-weight:normal;color:#454545;white-space:nowrap}"
  ".published{display:block;font-size:.55em;font-weight:normal;color:#454545}"
  ".scroll{overflow-x:auto;max-width:100%}"
  "table{border-collapse:collapse;background:#fff;margin:.5em 0}caption{text-align:left;font-weight:bold;padding:.3em 0}"
  "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;vertical-align:top}"
  "th[scope=row],thead th:first-child{text-align:left}tr.sub th,tr.sub td{background:#f0f0f0}tr.total th,tr.total td{font-weight:bold;background:#e8eef7}"
  ".pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1em;align-items:start}"
  "@media (max-width:50em){.pair{grid-template-columns:minmax(0,1fr)}"
  "td .range{display:block}th,td{padding:.2em .35em}th{overflow-wrap:anywhere;hyphens:auto}}"
  "figure{margin:.5em 0;background:#fff;border:1px solid #ccc;border-radius:6px;padding:.5em}"
  "figure svg{width:100%;height:auto;display:block}figcaption{font-weight:bold}"
  ".note{font-size:.9em;color:#454545;max-width:50em}"
  ".error{border:2px solid #c01c28;background:#fff;padding:.6em;border-radius:6px}"
  ".signin{max-width:26em;margin:3em auto;background:#fff;border:1px solid #ccc;border-radius:6px;padding:1.5em}"
  ".signin label{display:block;font-weight:bold;margin:.8em 0 .3em}.signin input{width:100%}";

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

/* A query string of the page's choices, with one of them replaced. */
static char *
page_link (const Page *page,
           const char *view,
           const char *lang)
{
  g_autofree char *period = g_uri_escape_string (page->sel->period, NULL, FALSE);
  g_autofree char *scope = g_uri_escape_string (page->sel->scope, NULL, FALSE);

  return g_strdup_printf ("/?view=%s&amp;period=%s&amp;scope=%s&amp;lang=%s", view, period, scope,
                          lang != NULL ? lang : vp_lang_code (page->lang));
}

static void
document_begin (GString    *out,
                VpLang      lang,
                const char *title)
{
  g_string_append_printf (out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<title>", vp_lang_code (lang));
  append_escaped (out, title);
  g_string_append_printf (out, " – Vindplaats</title><style>%s</style></head><body>\n", style);
}

static void
page_header (Page *page)
{
  VpLang other = page->lang == VP_LANG_EN ? VP_LANG_NL : VP_LANG_EN;
  g_autofree char *switch_link = page_link (page, page->view, vp_lang_code (other));
  GString *out = page->out;

  g_string_append_printf (out, "<a class=\"skip\" href=\"#main\">%s</a>\n<header><p>", T (N_("Skip to the figures")));
  /* TRANSLATORS: the page's heading; %s is the municipality's code, such as GM0363 */
  g_string_append_printf (out, T (N_("Vindplaats reach figures, %s")), page->municipality);
  g_string_append (out, "</p><div class=\"tools\">");
  g_string_append_printf (out, "<a href=\"%s\" lang=\"%s\" hreflang=\"%s\">%s</a>", switch_link,
                          vp_lang_code (other), vp_lang_code (other),
                          other == VP_LANG_EN ? "English" : "Nederlands");
  g_string_append_printf (out, "<form id=\"sign-out\" method=\"post\" action=\"/sign-out\">"
                          "<input type=\"hidden\" name=\"lang\" value=\"%s\">"
                          "<button type=\"submit\">%s</button></form></div></header>\n",
                          vp_lang_code (page->lang), T (N_("Sign out")));
  g_string_append_printf (out, "<nav aria-label=\"%s\"><ul>", T (N_("Views")));
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *link = page_link (page, views[i].name, NULL);

      g_string_append_printf (out, "<li><a href=\"%s\"%s>%s</a></li>", link,
                              g_str_equal (views[i].name, page->view) ? " aria-current=\"page\"" : "",
                              T (views[i].title));
    }
  g_string_append (out, "</ul></nav>\n");
}

static void
select_option (GString    *out,
               const char *value,
               const char *label,
               gboolean    selected)
{
  g_string_append (out, "<option value=\"");
  append_escaped (out, value);
  g_string_append_printf (out, "\"%s>", selected ? " selected" : "");
  append_escaped (out, label);
  g_string_append (out, "</option>");
}

static void
filters_form (Page *page)
{
  g_autoptr(GPtrArray) periods = vp_reach_period_choices (page->reach, page->lang);
  g_autoptr(GHashTable) groups = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = page->out;

  g_string_append_printf (out, "<form class=\"filters\" id=\"filters\" method=\"get\" action=\"/\" aria-label=\"%s\">"
                          "<input type=\"hidden\" name=\"view\" value=\"%s\">"
                          "<input type=\"hidden\" name=\"lang\" value=\"%s\">",
                          T (N_("Choose period and teams")), page->view, vp_lang_code (page->lang));
  g_string_append_printf (out, "<label for=\"period\">%s<select id=\"period\" name=\"period\">", T (N_("Period")));
  for (guint i = 0; i < periods->len; i++)
    {
      VpChoice *choice = g_ptr_array_index (periods, i);

      select_option (out, choice->value, choice->label, g_str_equal (choice->value, page->sel->period));
    }
  g_string_append_printf (out, "</select></label><label for=\"scope\">%s<select id=\"scope\" name=\"scope\">",
                          T (N_("Teams")));
  select_option (out, "all", T (N_("The whole municipality")), g_str_equal (page->sel->scope, "all"));
  for (guint i = 0; i < page->sel->teams->len; i++)
    {
      VpEndpointTeam *team = g_ptr_array_index (page->sel->teams, i);
      g_autofree char *value = NULL;
      g_autofree char *label = NULL;

      if (*team->group != '\0' && g_hash_table_add (groups, team->group))
        {
          value = g_strconcat ("group:", team->group, NULL);
          label = g_strdup_printf (T (N_("Group %s")), team->group);
          select_option (out, value, label, g_str_equal (page->sel->scope, value));
          g_clear_pointer (&value, g_free);
        }
      value = g_strconcat ("team:", team->code, NULL);
      select_option (out, value, team->name, g_str_equal (page->sel->scope, value));
    }
  g_string_append_printf (out, "</select></label><button class=\"primary\" type=\"submit\">%s</button></form>\n",
                          T (N_("Show")));
}

/* "123"; "≈ 123 (110 to 140)" for a figure with estimates in it; "at
 * least 110", or "≈ 123 (at least 110)", when nothing bounds it above. */
static void
figure_html (Page           *page,
             const VpFigure *figure)
{
  g_autofree char *value = vp_text_number (page->lang, llround (figure->value));
  g_autofree char *lo = vp_text_number (page->lang, figure->lo);
  g_autofree char *hi = NULL;

  if (vp_figure_is_exact (figure))
    {
      g_string_append (page->out, value);
      return;
    }
  if (figure->hi == VP_REPORT_UNBOUNDED && llround (figure->value) == figure->lo)
    {
      /* TRANSLATORS: a range without an upper bound, such as "at least 12" */
      g_string_append_printf (page->out, T (N_("at least %s")), lo);
      return;
    }
  g_string_append_printf (page->out, "<abbr title=\"%s\">≈</abbr> %s <span class=\"range\">(",
                          T (N_("estimate")), value);
  if (figure->hi == VP_REPORT_UNBOUNDED)
    g_string_append_printf (page->out, T (N_("at least %s")), lo);
  else
    {
      hi = vp_text_number (page->lang, figure->hi);
      /* TRANSLATORS: a range of whole numbers, such as "110 to 140" */
      g_string_append_printf (page->out, T (N_("%s to %s")), lo, hi);
    }
  g_string_append (page->out, ")</span>");
}

static gboolean
share_is_exact (const VpShare *share)
{
  return share->hi - share->lo < 0.0005;
}

static void
share_html (Page          *page,
            const VpShare *share)
{
  g_autofree char *value = vp_text_percent (page->lang, share->value);
  g_autofree char *lo = vp_text_percent (page->lang, share->lo);
  g_autofree char *hi = vp_text_percent (page->lang, share->hi);

  if (isnan (share->value))
    {
      g_string_append_printf (page->out, "<abbr title=\"%s\">–</abbr>", T (N_("nothing counted")));
      return;
    }
  if (share_is_exact (share))
    {
      g_string_append (page->out, value);
      return;
    }
  g_string_append_printf (page->out, "<abbr title=\"%s\">≈</abbr> %s <span class=\"range\">(", T (N_("estimate")), value);
  g_string_append_printf (page->out, T (N_("%s to %s")), lo, hi);
  g_string_append (page->out, ")</span>");
}

/* The sum of one figure over several rows (or columns) of a table. */
static VpFigure
sum_codes (VpReach             *reach,
           const VpReachFilter *filter,
           const char          *table,
           const char *const   *codes,
           gboolean             columns,
           const char          *other)
{
  VpFigure sum = { 0 };

  for (guint i = 0; codes[i] != NULL; i++)
    {
      VpFigure f = columns ? vp_reach_figure (reach, filter, table, other, codes[i])
                           : vp_reach_figure (reach, filter, table, codes[i], other);

      vp_figure_add (&sum, &f);
    }
  return sum;
}

/* What one column of a per-team or per-month table shows. */
typedef struct {
  const char        *title;
  const char        *table;
  const char *const *part;    /* codes; a share when rest is set */
  const char *const *rest;
  gboolean           columns; /* part and rest are column codes */
  const char        *other;   /* the fixed row (or column) code, NULL for its total */
} Measure;

static const char *const all_codes[] = { NULL };

static VpFigure
measure_part (VpReach             *reach,
              const VpReachFilter *filter,
              const Measure       *m)
{
  if (m->part == all_codes)
    return vp_reach_figure (reach, filter, m->table, m->columns ? m->other : NULL, m->columns ? NULL : m->other);
  return sum_codes (reach, filter, m->table, m->part, m->columns, m->other);
}

static void
measure_html (Page                *page,
              const VpReachFilter *filter,
              const Measure       *m)
{
  VpFigure part = measure_part (page->reach, filter, m);

  if (m->rest != NULL)
    {
      VpFigure rest = sum_codes (page->reach, filter, m->table, m->rest, m->columns, m->other);
      VpShare share = vp_figure_share (&part, &rest);

      share_html (page, &share);
    }
  else
    figure_html (page, &part);
}

/* How much of a count was published as such, the rest being estimates. */
static void
published_share_html (Page           *page,
                      const VpFigure *figure)
{
  g_autofree char *percent = NULL;

  if (vp_figure_is_exact (figure) || figure->value <= 0)
    return;
  percent = vp_text_percent (page->lang, MIN (1.0, figure->published / figure->value));
  g_string_append (page->out, "<span class=\"published\">");
  /* TRANSLATORS: the share of an estimated count that teams published as such */
  g_string_append_printf (page->out, T (N_("%s of it published exactly")), percent);
  g_string_append (page->out, "</span>");
}

static void
cards (Page          *page,
       const Measure *measures,
       guint          n)
{
  g_string_append (page->out, "<dl class=\"cards\">");
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (page->out, "<div><dt>%s</dt><dd>", T (measures[i].title));
      measure_html (page, &page->sel->filter, &measures[i]);
      if (measures[i].rest == NULL)
        {
          VpFigure part = measure_part (page->reach, &page->sel->filter, &measures[i]);

          published_share_html (page, &part);
        }
      g_string_append (page->out, "</dd></div>");
    }
  g_string_append (page->out, "</dl>\n");
}

static void
table_begin (Page       *page,
             const char *caption,
             const char *corner)
{
  g_string_append (page->out, "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"");
  append_escaped (page->out, caption);
  g_string_append (page->out, "\"><table><caption>");
  append_escaped (page->out, caption);
  g_string_append (page->out, "</caption><thead><tr><th scope=\"col\">");
  append_escaped (page->out, corner);
  g_string_append (page->out, "</th>");
}

static void
table_end (Page *page)
{
  g_string_append (page->out, "</tbody></table></div>\n");
}

static void
measures_row (Page                *page,
              const char          *cls,
              const char          *name,
              const VpReachFilter *filter,
              const Measure       *measures,
              guint                n)
{
  g_string_append_printf (page->out, "<tr%s%s%s><th scope=\"row\">", cls != NULL ? " class=\"" : "",
                          cls != NULL ? cls : "", cls != NULL ? "\"" : "");
  append_escaped (page->out, name);
  g_string_append (page->out, "</th>");
  for (guint i = 0; i < n; i++)
    {
      g_string_append (page->out, "<td>");
      measure_html (page, filter, &measures[i]);
      g_string_append (page->out, "</td>");
    }
  g_string_append (page->out, "</tr>\n");
}

/* Per team, each group's teams followed by the group's subtotal, and the
 * teams in scope together at the end. */
static void
per_team_table (Page          *page,
                const char    *caption,
                const Measure *measures,
                guint          n)
{
  const VpReachSelection *sel = page->sel;
  VpReachFilter filter = { 0 };

  table_begin (page, caption, T (N_("Team")));
  for (guint i = 0; i < n; i++)
    g_string_append_printf (page->out, "<th scope=\"col\">%s</th>", T (measures[i].title));
  g_string_append (page->out, "</tr></thead><tbody>");
  for (guint i = 0; i < sel->scoped_teams->len; i++)
    {
      VpEndpointTeam *team = g_ptr_array_index (sel->scoped_teams, i);
      VpEndpointTeam *next = i + 1 < sel->scoped_teams->len ? g_ptr_array_index (sel->scoped_teams, i + 1) : NULL;

      vp_reach_filter_for_team (&filter, sel, team->code);
      measures_row (page, NULL, team->name, &filter, measures, n);
      if (*team->group != '\0' && (next == NULL || !g_str_equal (next->group, team->group)) &&
          !g_str_has_prefix (sel->scope, "team:"))
        {
          g_autofree char *name = g_strdup_printf (T (N_("Group %s")), team->group);

          vp_reach_filter_for_group (&filter, sel, team->group);
          measures_row (page, "sub", name, &filter, measures, n);
        }
    }
  vp_reach_filter_clear (&filter);
  measures_row (page, "total", sel->scope_label, &sel->filter, measures, n);
  table_end (page);
}

/* A cross table: rows of one dimension, columns of another, with totals. */
static void
cross_table (Page       *page,
             const char *caption,
             const char *table_name)
{
  const VpReportTableDef *def = vp_report_table_def_lookup (table_name);
  guint n_rows = 0, n_columns = 0;
  const VpCategoryEntry *rows = vp_category_entries ((VpCategory) def->rows->category, &n_rows);
  const VpCategoryEntry *columns = vp_category_entries ((VpCategory) def->columns->category, &n_columns);
  guint row_count = n_rows + (def->rows_not_recorded ? 1 : 0);
  guint column_count = n_columns + (def->columns_not_recorded ? 1 : 0);

  table_begin (page, caption, vp_text_dimension (page->lang, def->rows->name));
  for (guint c = 0; c <= column_count; c++)
    {
      const char *code = c < n_columns ? columns[c].code : VP_NOT_RECORDED;

      g_string_append_printf (page->out, "<th scope=\"col\">%s</th>",
                              c == column_count ? T (N_("Total"))
                                                : vp_text_category (page->lang, def->columns->category, code));
    }
  g_string_append (page->out, "</tr></thead><tbody>");
  for (guint r = 0; r <= row_count; r++)
    {
      const char *row = r == row_count ? NULL : r < n_rows ? rows[r].code : VP_NOT_RECORDED;

      g_string_append_printf (page->out, "<tr%s><th scope=\"row\">%s</th>", row == NULL ? " class=\"total\"" : "",
                              row == NULL ? T (N_("Total")) : vp_text_category (page->lang, def->rows->category, row));
      for (guint c = 0; c <= column_count; c++)
        {
          const char *column = c == column_count ? NULL : c < n_columns ? columns[c].code : VP_NOT_RECORDED;
          VpFigure figure = vp_reach_figure (page->reach, &page->sel->filter, table_name, row, column);

          g_string_append (page->out, "<td>");
          figure_html (page, &figure);
          g_string_append (page->out, "</td>");
        }
      g_string_append (page->out, "</tr>\n");
    }
  table_end (page);
}

/* A label that fits beside a bar; the table beside the chart has it whole
 * (and so has the chart's text alternative). */
static void
short_label (GString    *out,
             const char *label)
{
  if (g_utf8_strlen (label, -1) <= 22)
    {
      append_escaped (out, label);
      return;
    }
  {
    g_autofree char *start = g_utf8_substring (label, 0, 20);

    append_escaped (out, start);
    g_string_append (out, "…");
  }
}

/* Horizontal bars with a whisker over each estimate's range; the figures
 * themselves are in the table beside the chart. */
static void
bar_chart (Page           *page,
           const char     *title,
           const char    **labels,
           const VpFigure *figures,
           guint           n)
{
  const int row_height = 28, label_width = 200, width = 480;
  double max = 1;
  int height = row_height * (int) n + 10;

  for (guint i = 0; i < n; i++)
    max = MAX (max, MAX (figures[i].value,
                         (double) (figures[i].hi == VP_REPORT_UNBOUNDED ? figures[i].lo : figures[i].hi)));
  g_string_append (page->out, "<figure><figcaption>");
  append_escaped (page->out, title);
  g_string_append_printf (page->out, "</figcaption><svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height);
  append_escaped (page->out, title);
  g_string_append (page->out, ": ");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = vp_text_number (page->lang, llround (figures[i].value));

      g_string_append_printf (page->out, "%s%s %s", i > 0 ? "; " : "", labels[i], value);
    }
  g_string_append (page->out, "\">");
  for (guint i = 0; i < n; i++)
    {
      double scale = (width - label_width - 20) / max;
      int y = 5 + (int) i * row_height;
      double w = figures[i].value * scale;
      double lo = label_width + figures[i].lo * scale;
      double hi = label_width + (figures[i].hi == VP_REPORT_UNBOUNDED ? max : (double) figures[i].hi) * scale;

      g_string_append_printf (page->out, "<text x=\"%d\" y=\"%d\" font-size=\"15\" text-anchor=\"end\" fill=\"#1d1d1d\">",
                              label_width - 6, y + 18);
      short_label (page->out, labels[i]);
      g_string_append_printf (page->out, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                              label_width, y + 3, w, row_height - 8,
                              vp_figure_is_exact (&figures[i]) ? "#1a5fb4" : "#3584e4");
      if (!vp_figure_is_exact (&figures[i]))
        g_string_append_printf (page->out, "<path d=\"M%.1f %d H%.1f M%.1f %d V%d M%.1f %d V%d\" stroke=\"#1d1d1d\""
                                " stroke-width=\"1.5\"%s/>", lo, y + 13, hi, lo, y + 8, y + 18, hi, y + 8, y + 18,
                                figures[i].hi == VP_REPORT_UNBOUNDED ? " stroke-dasharray=\"3 2\"" : "");
    }
  g_string_append (page->out, "</svg></figure>\n");
}

/* A dimension's figures as a table and a chart side by side. */
static void
dimension_section (Page        *page,
                   const char  *title,
                   const char  *table_name,
                   gboolean     columns,
                   const char  *other,
                   const char *const *extra_tables,
                   const char *const *extra_titles)
{
  const VpReportTableDef *def = vp_report_table_def_lookup (table_name);
  const VpReportDimension *dim = columns ? def->columns : def->rows;
  gboolean not_recorded = columns ? def->columns_not_recorded : def->rows_not_recorded;
  guint n = 0;
  const VpCategoryEntry *entries = vp_category_entries ((VpCategory) dim->category, &n);
  guint count = n + (not_recorded ? 1 : 0);
  g_autofree const char **labels = g_new0 (const char *, count);
  g_autofree VpFigure *figures = g_new0 (VpFigure, count);

  g_string_append_printf (page->out, "<h2>%s</h2><div class=\"pair\">", title);
  table_begin (page, title, vp_text_dimension (page->lang, dim->name));
  g_string_append_printf (page->out, "<th scope=\"col\">%s</th>", T (N_("Count")));
  for (guint t = 0; extra_tables != NULL && extra_tables[t] != NULL; t++)
    g_string_append_printf (page->out, "<th scope=\"col\">%s</th>", T (extra_titles[t]));
  g_string_append (page->out, "</tr></thead><tbody>");
  for (guint i = 0; i <= count; i++)
    {
      const char *code = i == count ? NULL : i < n ? entries[i].code : VP_NOT_RECORDED;
      VpFigure f = columns ? vp_reach_figure (page->reach, &page->sel->filter, table_name, other, code)
                           : vp_reach_figure (page->reach, &page->sel->filter, table_name, code, other);

      if (i < count)
        {
          labels[i] = vp_text_category (page->lang, dim->category, code);
          figures[i] = f;
        }
      g_string_append_printf (page->out, "<tr%s><th scope=\"row\">%s</th><td>", code == NULL ? " class=\"total\"" : "",
                              code == NULL ? T (N_("Total")) : labels[i]);
      figure_html (page, &f);
      g_string_append (page->out, "</td>");
      for (guint t = 0; extra_tables != NULL && extra_tables[t] != NULL; t++)
        {
          VpFigure e = vp_reach_figure (page->reach, &page->sel->filter, extra_tables[t], code, NULL);

          g_string_append (page->out, "<td>");
          figure_html (page, &e);
          g_string_append (page->out, "</td>");
        }
      g_string_append (page->out, "</tr>\n");
    }
  table_end (page);
  bar_chart (page, title, labels, figures, count);
  g_string_append (page->out, "</div>\n");
}

static const char *const stage_early[] = { "prevention", "early", NULL };
static const char *const stage_late[] = { "escalated", "crisis", NULL };
static const char *const dutch_limited[] = { "limited", "little_or_none", NULL };
static const char *const dutch_sufficient[] = { "sufficient", NULL };
static const char *const interpreter_child[] = { "informal_child", NULL };
static const char *const interpreter_other[] = { "professional_phone", "professional_in_person", "informal_adult", NULL };
static const char *const interpreter_any[] = { "professional_phone", "professional_in_person", "informal_adult",
                                                "informal_child", NULL };
static const char *const interpreter_none[] = { "none", NULL };
static const char *const feedback_in_time[] = { "in_time", NULL };
static const char *const feedback_not_in_time[] = { "late", "awaiting", "overdue", NULL };
static const char *const feedback_late[] = { "late", NULL };
static const char *const feedback_not_late[] = { "in_time", "awaiting", "overdue", NULL };
static const char *const feedback_overdue[] = { "overdue", NULL };
static const char *const feedback_not_overdue[] = { "in_time", "late", "awaiting", NULL };
static const char *const follow_up[] = { "follow_up", NULL };

static const Measure reach_measures[] = {
  { N_("First contacts"), "first_contacts_by_route", all_codes, NULL, FALSE, NULL },
  { N_("All contacts"), "contacts", all_codes, NULL, FALSE, NULL },
  { N_("Follow-up contacts"), "contacts", follow_up, NULL, TRUE, NULL },
  { N_("Referrals"), "referrals", all_codes, NULL, FALSE, NULL },
};

static const char *const stage_recorded[] = { "prevention", "early", "escalated", "crisis", NULL };

static const Measure early_measures[] = {
  { N_("First contacts with a stage recorded"), "early_reach", stage_recorded, NULL, FALSE, NULL },
  { N_("Share at the prevention or early stage"), "early_reach", stage_early, stage_late, FALSE, NULL },
};

static const Measure language_measures[] = {
  { N_("First contacts with limited or little Dutch"), "first_contacts_by_age_language", dutch_limited, NULL, TRUE, NULL },
  { N_("Share of those whose Dutch was recorded"), "first_contacts_by_age_language", dutch_limited, dutch_sufficient, TRUE, NULL },
  { N_("First contacts"), "first_contacts_by_age_language", all_codes, NULL, FALSE, NULL },
};

static const Measure interpreter_measures[] = {
  { N_("Contacts with an interpreter"), "interpreter_use", interpreter_any, NULL, FALSE, NULL },
  { N_("Share with an interpreter"), "interpreter_use", interpreter_any, interpreter_none, FALSE, NULL },
  { N_("Informal interpreting by a child"), "interpreter_use", interpreter_child, NULL, FALSE, NULL },
  { N_("Share by a child, of contacts with an interpreter"), "interpreter_use", interpreter_child, interpreter_other, FALSE, NULL },
};

static const Measure referral_measures[] = {
  { N_("Referrals"), "referrals", all_codes, NULL, FALSE, NULL },
  { N_("Feedback in time"), "referrals", feedback_in_time, feedback_not_in_time, TRUE, NULL },
  { N_("Feedback late"), "referrals", feedback_late, feedback_not_late, TRUE, NULL },
  { N_("Feedback missing (overdue)"), "referrals", feedback_overdue, feedback_not_overdue, TRUE, NULL },
};

static void
note_on_ranges (Page *page)
{
  g_string_append_printf (page->out, "<p class=\"note\">%s</p>\n",
                          T (N_("Teams suppress small numbers before anything leaves their laptops. "
                                "A figure marked ≈ adds estimates for what was suppressed to what was published; "
                                "in brackets is the range that certainly holds the true number. "
                                "A figure without ≈ is exact.")));
}

static void
view_reach (Page *page)
{
  const char *const extra_tables[] = { "first_contacts_by_route", NULL };
  const char *const extra_titles[] = { N_("First contacts"), NULL };
  const char *const route_tables[] = { NULL };

  cards (page, reach_measures, G_N_ELEMENTS (reach_measures));
  dimension_section (page, T (N_("Contacts by location type")), "contacts", FALSE, NULL, extra_tables, extra_titles);
  dimension_section (page, T (N_("First contacts by route (initiated by)")), "first_contacts_by_route", TRUE, NULL,
                     route_tables, NULL);
  g_string_append_printf (page->out, "<h2>%s</h2>", T (N_("Per team")));
  per_team_table (page, T (N_("Contacts per team")), reach_measures, G_N_ELEMENTS (reach_measures));
}

static void
view_early (Page *page)
{
  cards (page, early_measures, G_N_ELEMENTS (early_measures));
  g_string_append_printf (page->out, "<h2>%s</h2>", T (N_("Stage of the problems at the first contact, by Dutch proficiency")));
  cross_table (page, T (N_("First contacts by stage and Dutch proficiency")), "early_reach");
  {
    guint n = 0;
    const VpCategoryEntry *levels = vp_category_entries (VP_CATEGORY_DUTCH_PROFICIENCY, &n);
    g_autofree Measure *by_level = g_new0 (Measure, n + 1);

    for (guint i = 0; i < n; i++)
      by_level[i] = (Measure) { levels[i].label, "early_reach", stage_early, stage_late, FALSE, levels[i].code };
    by_level[n] = (Measure) { N_("Not recorded"), "early_reach", stage_early, stage_late, FALSE, VP_NOT_RECORDED };
    g_string_append_printf (page->out, "<h2>%s</h2>", T (N_("Share at the prevention or early stage, by Dutch proficiency")));
    per_team_table (page, T (N_("Share at the prevention or early stage, per team")), by_level, n + 1);
  }
  g_string_append_printf (page->out, "<p class=\"note\">%s</p>",
                          T (N_("Shares are of the first contacts whose stage was recorded.")));
}

static gint
compare_figures_desc (gconstpointer a,
                      gconstpointer b)
{
  const VpFigure *fa = a, *fb = b;

  return fa->value < fb->value ? 1 : fa->value > fb->value ? -1 : 0;
}

typedef struct {
  VpFigure    figure; /* first, for compare_figures_desc */
  const char *code;
} LanguageFigure;

static void
languages_section (Page *page)
{
  guint n = 0;
  const VpLanguage *languages = vp_languages (&n);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (LanguageFigure));
  g_autofree const char **labels = NULL;
  g_autofree VpFigure *figures = NULL;
  VpFigure total = vp_reach_figure (page->reach, &page->sel->filter, "first_contacts_by_language", NULL, NULL);
  const char *title = T (N_("First contacts by preferred language"));

  for (guint i = 0; i <= n; i++)
    {
      const char *code = i < n ? languages[i].code : VP_NOT_RECORDED;
      LanguageFigure row = { vp_reach_figure (page->reach, &page->sel->filter, "first_contacts_by_language", code, NULL), code };

      /* Languages that certainly nobody spoke are left out. */
      if (llround (row.figure.value) > 0 || row.figure.lo > 0)
        g_array_append_val (rows, row);
    }
  g_array_sort (rows, compare_figures_desc);
  labels = g_new0 (const char *, rows->len + 1);
  figures = g_new0 (VpFigure, rows->len + 1);
  g_string_append_printf (page->out, "<h2>%s</h2><div class=\"pair\">", title);
  table_begin (page, title, T (N_("Language")));
  g_string_append_printf (page->out, "<th scope=\"col\">%s</th></tr></thead><tbody>", T (N_("First contacts")));
  for (guint i = 0; i < rows->len; i++)
    {
      LanguageFigure *row = &g_array_index (rows, LanguageFigure, i);

      labels[i] = vp_text_category (page->lang, -1, row->code);
      figures[i] = row->figure;
      g_string_append_printf (page->out, "<tr><th scope=\"row\">%s</th><td>", labels[i]);
      figure_html (page, &row->figure);
      g_string_append (page->out, "</td></tr>\n");
    }
  g_string_append_printf (page->out, "<tr class=\"total\"><th scope=\"row\">%s</th><td>", T (N_("Total")));
  figure_html (page, &total);
  g_string_append (page->out, "</td></tr>\n");
  table_end (page);
  bar_chart (page, title, labels, figures, MIN (rows->len, 12));
  g_string_append_printf (page->out, "</div><p class=\"note\">%s</p>",
                          T (N_("Languages are left out when no first contact can have been in them. "
                                "The chart shows the twelve most frequent.")));
}

static void
view_language (Page *page)
{
  cards (page, language_measures, 2);
  dimension_section (page, T (N_("First contacts by Dutch proficiency")), "first_contacts_by_age_language", TRUE,
                     NULL, NULL, NULL);
  languages_section (page);
  cross_table (page, T (N_("First contacts by age and Dutch proficiency")), "first_contacts_by_age_language");
  g_string_append_printf (page->out, "<h2>%s</h2>", T (N_("Per team")));
  per_team_table (page, T (N_("Limited or little Dutch, per team")), language_measures, G_N_ELEMENTS (language_measures));
}

static void
view_interpreter (Page *page)
{
  cards (page, interpreter_measures, G_N_ELEMENTS (interpreter_measures));
  dimension_section (page, T (N_("Contacts by interpreter use")), "interpreter_use", FALSE, NULL, NULL, NULL);
  cross_table (page, T (N_("Contacts by interpreter use and Dutch proficiency")), "interpreter_use");
  g_string_append_printf (page->out, "<h2>%s</h2>", T (N_("Per team")));
  per_team_table (page, T (N_("Interpreter use per team")), interpreter_measures, G_N_ELEMENTS (interpreter_measures));
  g_string_append_printf (page->out, "<p class=\"note\">%s</p>",
                          T (N_("Children should not interpret for their parents; "
                                "the share of informal interpreting by a child is singled out for that reason.")));
}

static void
view_referrals (Page *page)
{
  cards (page, referral_measures, G_N_ELEMENTS (referral_measures));
  cross_table (page, T (N_("Referrals by category and feedback")), "referrals");
  g_string_append_printf (page->out, "<h2>%s</h2>", T (N_("Per team")));
  per_team_table (page, T (N_("Referrals and feedback per team")), referral_measures, G_N_ELEMENTS (referral_measures));
  g_string_append_printf (page->out, "<p class=\"note\">%s</p>",
                          T (N_("Feedback is in time when it came within 28 days of the referral. "
                                "Each month is counted as it stood on the day its report fell due.")));
}

/* Columns per month with whiskers; shares are drawn on a 0–100% axis. */
static void
trend_chart (Page          *page,
             const Measure *m)
{
  GPtrArray *months = page->sel->months;
  const int width = 480, height = 250, left = 50, bottom = 34, top = 20;
  double max = 1.0; /* a share's axis ends at 100%; a count's grows below */
  g_autofree double *value = g_new0 (double, months->len);
  g_autofree double *lo = g_new0 (double, months->len);
  g_autofree double *hi = g_new0 (double, months->len);
  g_autofree gboolean *open = g_new0 (gboolean, months->len);
  g_autofree char **cells = g_new0 (char *, months->len + 1);
  VpReachFilter filter = { 0 };
  double step = (double) (width - left - 10) / MAX (1, months->len);
  const char *title = T (m->title);

  for (guint i = 0; i < months->len; i++)
    {
      Page cell_page = *page;

      vp_reach_filter_for_month (&filter, page->sel, g_ptr_array_index (months, i));
      cell_page.out = g_string_new (NULL);
      measure_html (&cell_page, &filter, m);
      cells[i] = g_string_free (cell_page.out, FALSE);
      if (m->rest != NULL)
        {
          VpFigure part = measure_part (page->reach, &filter, m);
          VpFigure rest = sum_codes (page->reach, &filter, m->table, m->rest, m->columns, m->other);
          VpShare share = vp_figure_share (&part, &rest);

          value[i] = isnan (share.value) ? -1 : share.value;
          lo[i] = share.lo;
          hi[i] = share.hi;
        }
      else
        {
          VpFigure f = measure_part (page->reach, &filter, m);

          value[i] = f.n_reports > 0 ? (double) f.value : -1;
          lo[i] = (double) f.lo;
          open[i] = f.hi == VP_REPORT_UNBOUNDED;
          hi[i] = open[i] ? f.lo : (double) f.hi;
          max = MAX (max, MAX (hi[i], value[i]));
        }
    }
  vp_reach_filter_clear (&filter);

  g_string_append_printf (page->out, "<h2>%s</h2><div class=\"pair\"><figure><figcaption>%s</figcaption>", title, title);
  g_string_append_printf (page->out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height);
  /* TRANSLATORS: the text alternative of a chart; the numbers are in the table beside it */
  g_string_append_printf (page->out, T (N_("%s per month; the numbers are in the table beside the chart")), title);
  g_string_append (page->out, "\">");
  for (int g = 0; g <= 4; g++)
    {
      double v = max * g / 4.0;
      double y = height - bottom - (height - bottom - top) * g / 4.0;
      g_autofree char *label = m->rest != NULL ? vp_text_percent (page->lang, v)
                                               : vp_text_number (page->lang, (gint64) llround (v));

      g_string_append_printf (page->out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d0d0\"/>"
                              "<text x=\"%d\" y=\"%.1f\" font-size=\"14\" text-anchor=\"end\" fill=\"#1d1d1d\">%s</text>",
                              left, width - 10, y, y, left - 4, y + 4, label);
    }
  for (guint i = 0; i < months->len; i++)
    {
      double x = left + step * i + step / 2;
      double scale = (height - bottom - top) / max;
      double y0 = height - bottom;

      g_string_append_printf (page->out, "<text x=\"%.1f\" y=\"%d\" font-size=\"14\" text-anchor=\"middle\" fill=\"#1d1d1d\">%s</text>",
                              x, height - 10, vp_text_month_short (page->lang, g_ptr_array_index (months, i)));
      if (value[i] < 0)
        continue;
      g_string_append_printf (page->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                              x - step * 0.3, y0 - value[i] * scale, step * 0.6, value[i] * scale,
                              hi[i] - lo[i] < 1e-9 && !open[i] ? "#1a5fb4" : "#3584e4");
      if (hi[i] - lo[i] >= 1e-9 || open[i])
        g_string_append_printf (page->out, "<path d=\"M%.1f %.1f V%.1f M%.1f %.1f H%.1f M%.1f %.1f H%.1f\" stroke=\"#1d1d1d\""
                                " stroke-width=\"1.5\"%s/>",
                                x, y0 - lo[i] * scale, open[i] ? top : y0 - hi[i] * scale,
                                x - 5, y0 - lo[i] * scale, x + 5,
                                x - 5, open[i] ? top : y0 - hi[i] * scale, x + 5,
                                open[i] ? " stroke-dasharray=\"3 2\"" : "");
    }
  g_string_append (page->out, "</svg></figure>");
  table_begin (page, title, T (N_("Month")));
  g_string_append_printf (page->out, "<th scope=\"col\">%s</th></tr></thead><tbody>", m->rest != NULL ? T (N_("Share")) : T (N_("Count")));
  for (guint i = 0; i < months->len; i++)
    {
      g_autofree char *month = vp_text_month (page->lang, g_ptr_array_index (months, i));

      g_string_append_printf (page->out, "<tr><th scope=\"row\">%s</th><td>%s</td></tr>\n", month,
                              value[i] < 0 ? T (N_("no reports")) : cells[i]);
      g_free (cells[i]);
    }
  table_end (page);
  g_string_append (page->out, "</div>\n");
}

static void
view_trends (Page *page)
{
  const Measure trends[] = {
    reach_measures[0],
    reach_measures[1],
    early_measures[1],
    language_measures[0],
    interpreter_measures[3],
    referral_measures[1],
  };

  for (guint i = 0; i < G_N_ELEMENTS (trends); i++)
    trend_chart (page, &trends[i]);
}

/* Which months each laptop has sent, so that gaps show, and how many of
 * them published nothing. */
static void
received_section (Page *page)
{
  GPtrArray *reports = vp_reach_reports (page->reach);
  const VpReachSelection *sel = page->sel;
  const char *title = T (N_("Reports received in this period"));

  g_string_append_printf (page->out, "<h2>%s</h2><p class=\"note\">%s</p>", title,
                          T (N_("A laptop whose month had too few clients, or whose every figure had to be hidden, "
                                "publishes no totals; such a month adds at least 0 to every figure, with no upper "
                                "bound, and is estimated as that laptop’s average month.")));
  table_begin (page, title, T (N_("Team")));
  g_string_append_printf (page->out, "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                          "<th scope=\"col\">%s</th></tr></thead><tbody>",
                          T (N_("Laptop")), T (N_("Months received")), T (N_("Of which wholly suppressed")));
  for (guint t = 0; t < sel->scoped_teams->len; t++)
    {
      VpEndpointTeam *team = g_ptr_array_index (sel->scoped_teams, t);

      for (guint i = 0; page->installations != NULL && i < page->installations->len; i++)
        {
          VpEndpointInstallation *inst = g_ptr_array_index (page->installations, i);
          guint n = 0, n_silent = 0;

          if (!g_str_equal (inst->team, team->code))
            continue;
          for (guint r = 0; r < reports->len; r++)
            {
              VpReport *report = g_ptr_array_index (reports, r);

              if (!g_str_equal (report->team, inst->team) || !g_str_equal (report->installation, inst->id) ||
                  (sel->filter.from[0] != '\0' && strcmp (report->period, sel->filter.from) < 0) ||
                  (sel->filter.to[0] != '\0' && strcmp (report->period, sel->filter.to) > 0))
                continue;
              n++;
              n_silent += vp_report_is_silent (report);
            }
          g_string_append (page->out, "<tr><th scope=\"row\">");
          append_escaped (page->out, team->name);
          g_string_append (page->out, "</th><td>");
          if (inst->label != NULL)
            append_escaped (page->out, inst->label);
          else
            g_string_append_printf (page->out, T (N_("Laptop %d")), inst->number);
          g_string_append_printf (page->out, "</td><td>%u / %u</td><td>%u</td></tr>\n", n, sel->months->len, n_silent);
        }
    }
  table_end (page);
}

static const View *
find_view (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    if (g_str_equal (views[i].name, name))
      return &views[i];
  return &views[0];
}

/**
 * vp_reach_page_html:
 * @reach: the municipality's reports
 * @selection: the period and teams chosen
 * @municipality: the municipality's code
 * @view: one of the views (vp_reach_page_is_view())
 * @installations: (element-type VpEndpointInstallation) (nullable): the laptops
 *
 * Returns: (transfer full): the page
 */
char *
vp_reach_page_html (VpReach                *reach,
                    const VpReachSelection *selection,
                    const char             *municipality,
                    const char             *view,
                    GPtrArray              *installations)
{
  const View *v = find_view (view);
  Page page_data = { g_string_new (NULL), reach, selection, selection->lang, municipality, v->name, installations };
  Page *page = &page_data;
  g_autofree char *csv = NULL;
  g_autofree char *period = g_uri_escape_string (selection->period, NULL, FALSE);
  g_autofree char *scope = g_uri_escape_string (selection->scope, NULL, FALSE);

  document_begin (page->out, page->lang, T (v->title));
  page_header (page);
  g_string_append (page->out, "<main id=\"main\" tabindex=\"-1\"><h1>");
  append_escaped (page->out, T (v->title));
  g_string_append (page->out, "</h1><p>");
  append_escaped (page->out, selection->scope_label);
  g_string_append (page->out, " · ");
  append_escaped (page->out, selection->period_label);
  g_string_append (page->out, "</p>\n");
  filters_form (page);
  if (vp_reach_count (reach, NULL) == 0)
    g_string_append_printf (page->out, "<p class=\"error\" role=\"status\">%s</p>",
                            T (N_("No reports have been received yet.")));
  else if (vp_reach_count (reach, &selection->filter) == 0)
    g_string_append_printf (page->out, "<p class=\"error\" role=\"status\">%s</p>",
                            T (N_("No reports were received for this period and these teams.")));
  note_on_ranges (page);

  if (g_str_equal (v->name, "early"))
    view_early (page);
  else if (g_str_equal (v->name, "language"))
    view_language (page);
  else if (g_str_equal (v->name, "interpreter"))
    view_interpreter (page);
  else if (g_str_equal (v->name, "referrals"))
    view_referrals (page);
  else if (g_str_equal (v->name, "trends"))
    view_trends (page);
  else
    {
      view_reach (page);
      received_section (page);
    }

  csv = g_strdup_printf ("/v1/reach?format=csv&amp;period=%s&amp;scope=%s&amp;lang=%s", period, scope,
                         vp_lang_code (page->lang));
  g_string_append_printf (page->out, "<h2>%s</h2><p><a id=\"download-csv\" href=\"%s\" download>%s</a></p>\n",
                          T (N_("Download")), csv,
                          T (N_("All figures of this period and these teams, per team and month (CSV)")));
  g_string_append (page->out, "</main></body></html>\n");
  return g_string_free (page->out, FALSE);
}

/**
 * vp_reach_sign_in_html:
 * @lang: the language
 * @message: (nullable): why the last attempt failed
 *
 * Returns: (transfer full): the sign-in page
 */
char *
vp_reach_sign_in_html (VpLang      lang,
                       const char *message)
{
  GString *out = g_string_new (NULL);
  Page page_data = { out, NULL, NULL, lang, NULL, NULL, NULL };
  Page *page = &page_data;
  VpLang other = lang == VP_LANG_EN ? VP_LANG_NL : VP_LANG_EN;

  document_begin (out, lang, T (N_("Sign in")));
  g_string_append_printf (out, "<main id=\"main\" class=\"signin\"><h1>%s</h1>", T (N_("Vindplaats reach figures")));
  g_string_append_printf (out, "<p><a href=\"/sign-in?lang=%s\" lang=\"%s\" hreflang=\"%s\">%s</a></p>",
                          vp_lang_code (other), vp_lang_code (other), vp_lang_code (other),
                          other == VP_LANG_EN ? "English" : "Nederlands");
  if (message != NULL)
    {
      g_string_append (out, "<p class=\"error\" role=\"alert\" id=\"sign-in-error\">");
      append_escaped (out, message);
      g_string_append (out, "</p>");
    }
  g_string_append_printf (out, "<form id=\"sign-in\" method=\"post\" action=\"/sign-in\">"
                          "<input type=\"hidden\" name=\"lang\" value=\"%s\">"
                          "<label for=\"token\">%s</label>"
                          "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required"
                          " aria-describedby=\"token-help\"%s>"
                          "<p id=\"token-help\" class=\"note\">%s</p>"
                          "<button class=\"primary\" type=\"submit\">%s</button></form></main></body></html>\n",
                          vp_lang_code (lang), T (N_("Read token")),
                          message != NULL ? " aria-invalid=\"true\"" : "",
                          T (N_("The read token your municipality received from the endpoint’s administrator.")),
                          T (N_("Sign in")));
  return g_string_free (out, FALSE);
}

/**
 * vp_reach_message_html:
 * @lang: the language
 * @title: the page's heading
 * @message: what to say
 *
 * Returns: (transfer full): a page with one message, for errors
 */
char *
vp_reach_message_html (VpLang      lang,
                       const char *title,
                       const char *message)
{
  GString *out = g_string_new (NULL);

  document_begin (out, lang, title);
  g_string_append (out, "<main id=\"main\" class=\"signin\"><h1>");
  append_escaped (out, title);
  g_string_append (out, "</h1><p class=\"error\" role=\"alert\">");
  append_escaped (out, message);
  g_string_append_printf (out, "</p><p><a href=\"/?lang=%s\">%s</a></p></main></body></html>\n",
                          vp_lang_code (lang), vp_text (lang, N_("Back to the overview")));
  return g_string_free (out, FALSE);
}
