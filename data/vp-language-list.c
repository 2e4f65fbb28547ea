/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "vp-language-list.h"

static const VpLanguage languages[] = {
  { "ara", N_("Arabic") },
  { "tur", N_("Turkish") },
  { "rif", N_("Tarifit (Riffian Berber)") },
  { "tzm", N_("Central Atlas Tamazight") },
  { "tir", N_("Tigrinya") },
  { "pol", N_("Polish") },
  { "ukr", N_("Ukrainian") },
  { "som", N_("Somali") },
  { "pes", N_("Persian (Farsi)") },
  { "prs", N_("Dari") },
  { "pap", N_("Papiamento") },
  { "srn", N_("Sranan Tongo") },
  { "bul", N_("Bulgarian") },
  { "ron", N_("Romanian") },
  { "kmr", N_("Kurdish (Kurmanji)") },
  { "pbu", N_("Pashto") },
  { "amh", N_("Amharic") },
  { "cmn", N_("Mandarin Chinese") },
  { "eng", N_("English") },
  { "fra", N_("French") },
  { "spa", N_("Spanish") },
  { "por", N_("Portuguese") },
  { "rus", N_("Russian") },
  { "nld", N_("Dutch") },
};

const VpLanguage *
vp_languages (guint *n_languages)
{
  if (n_languages != NULL)
    *n_languages = G_N_ELEMENTS (languages);
  return languages;
}

gboolean
vp_is_language_code (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (languages[i].code, code) == 0)
      return TRUE;
  return FALSE;
}

const char *
vp_language_name (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (languages[i].code, code) == 0)
      return g_dgettext (GETTEXT_PACKAGE, languages[i].name);
  return code;
}
