/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vp-endpoint-text.h"
#include "vp-language-list.h"

/**
 * vp_text_init:
 *
 * Makes the gettext catalogue answer in Dutch whatever the service's
 * environment says: the language is chosen per request, and English needs
 * no catalogue. gettext ignores LANGUAGE in the "C" locale, so that one
 * becomes C.UTF-8. Call before any thread starts.
 */
void
vp_text_init (void)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "nl", TRUE);
}

VpLang
vp_lang_from_code (const char *code)
{
  return g_strcmp0 (code, "en") == 0 ? VP_LANG_EN : VP_LANG_NL;
}

const char *
vp_lang_code (VpLang lang)
{
  return lang == VP_LANG_EN ? "en" : "nl";
}

const char *
vp_text (VpLang      lang,
         const char *msgid)
{
  return lang == VP_LANG_EN ? msgid : g_dgettext (GETTEXT_PACKAGE, msgid);
}

const char *
vp_ntext (VpLang      lang,
          const char *singular,
          const char *plural,
          gulong      n)
{
  if (lang == VP_LANG_EN)
    return n == 1 ? singular : plural;
  return g_dngettext (GETTEXT_PACKAGE, singular, plural, n);
}

/**
 * vp_text_category:
 * @lang: the language
 * @category: a #VpCategory, or -1 for a language code (ISO 639-3)
 * @code: the code
 *
 * Returns: the label of @code; the code itself when it has none
 */
const char *
vp_text_category (VpLang      lang,
                  int         category,
                  const char *code)
{
  guint n = 0;
  const VpCategoryEntry *entries;

  if (g_strcmp0 (code, VP_NOT_RECORDED) == 0)
    return vp_text (lang, N_("Not recorded"));
  if (category < 0)
    {
      const VpLanguage *languages = vp_languages (&n);

      for (guint i = 0; i < n; i++)
        if (g_str_equal (languages[i].code, code))
          return vp_text (lang, languages[i].name);
      return code;
    }
  entries = vp_category_entries ((VpCategory) category, &n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (entries[i].code, code))
      return vp_text (lang, entries[i].label);
  return code;
}

/* "oktober 2026" or "October 2026"; month names are spelled out here
 * because the server's locale may have none. */
char *
vp_text_month (VpLang      lang,
               const char *period)
{
  static const char *months[] = {
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
  };
  int year = 0, month = 0;

  if (sscanf (period, "%4d-%2d", &year, &month) != 2 || month < 1 || month > 12)
    return g_strdup (period);
  return g_strdup_printf ("%s %d", vp_text (lang, months[month - 1]), year);
}

/* Thousands grouped as each language writes them: 12.345 or 12,345. */
char *
vp_text_number (VpLang lang,
                gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "−" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, lang == VP_LANG_EN ? ',' : '.');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* 12% or 12,5%: one decimal only below 10%. */
char *
vp_text_percent (VpLang lang,
                 double fraction)
{
  double percent = fraction * 100.0;
  g_autofree char *text = NULL;

  if (isnan (percent))
    return g_strdup ("–");
  if (percent > 0 && percent < 10)
    {
      text = g_strdup_printf ("%.1f", percent);
      if (lang == VP_LANG_NL)
        g_strdelimit (text, ".", ',');
    }
  else
    text = g_strdup_printf ("%.0f", percent);
  return g_strdup_printf ("%s%%", text);
}

/* "okt", "Oct": for the axis of a chart. */
const char *
vp_text_month_short (VpLang      lang,
                     const char *period)
{
  static const char *months[] = {
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
  };
  int year = 0, month = 0;

  if (sscanf (period, "%4d-%2d", &year, &month) != 2 || month < 1 || month > 12)
    return period;
  return vp_text (lang, months[month - 1]);
}

/* The title of a report table, for exports. */
const char *
vp_text_table (VpLang      lang,
               const char *table)
{
  static const struct { const char *name; const char *title; } titles[] = {
    { "contacts", N_("Contacts by location type and kind of contact") },
    { "first_contacts_by_route", N_("First contacts by location type and route") },
    { "first_contacts_by_age_language", N_("First contacts by age and Dutch proficiency") },
    { "early_reach", N_("First contacts by stage and Dutch proficiency") },
    { "interpreter_use", N_("Contacts by interpreter use and Dutch proficiency") },
    { "referrals", N_("Referrals by category and feedback") },
    { "first_contacts_by_language", N_("First contacts by preferred language") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (titles[i].name, table))
      return vp_text (lang, titles[i].title);
  return table;
}

/* The name of a report dimension, for the corner of a table. */
const char *
vp_text_dimension (VpLang      lang,
                   const char *dimension)
{
  static const struct { const char *name; const char *title; } titles[] = {
    { "location_type", N_("Location type") },
    { "contact_kind", N_("Kind of contact") },
    { "initiated_by", N_("Route (initiated by)") },
    { "age_band", N_("Age") },
    { "dutch_proficiency", N_("Dutch proficiency") },
    { "stage", N_("Stage") },
    { "interpreter_mode", N_("Interpreter") },
    { "referral_category", N_("Referral category") },
    { "feedback_status", N_("Feedback") },
    { "language", N_("Language") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (titles[i].name, dimension))
      return vp_text (lang, titles[i].title);
  return dimension;
}
