/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "vp-consent-texts.h"
#include "vp-language-list.h"

/* The consent explanation, one key file per language in ui/consent/,
 * compiled into the UI resources. Each file has:
 *
 *   [Consent]
 *   Language=ara            ISO 639-3, as the consent record stores it
 *   Name=العربية            the language's own name, for the client to find
 *   Version=2026-2          stored with every consent given on this text
 *   Direction=rtl           rtl or ltr
 *   TranslatedFrom=nld      empty for the source text
 *   Reviewer=               who checked the translation, and on which day
 *   ReviewedOn=             (YYYY-MM-DD); both empty until then
 *   DraftNotice=...         in the language itself, shown until reviewed
 *   [Text]
 *   language=, interpreter=, referral=   what is recorded and why
 *   common=                 optional, withdrawal, who sees it, how long;
 *                           {months} becomes the team's retention period
 *
 * A text without a reviewer is shown as a draft. A file that breaks these
 * rules is a programming error: it is left out with a critical warning
 * (which fails the tests). */

#define RESOURCE_DIR "/io/github/vindplaats/Vindplaats/consent/"
#define SOURCE_LANGUAGE "nld"
#define COMMON "common"

static const VpConsentText texts[] = {
  { "language", N_("Language needs") },
  { "interpreter", N_("Interpreter use") },
  { "referral", N_("Referrals") },
};

const VpConsentText *
vp_consent_texts (guint *n_texts)
{
  if (n_texts != NULL)
    *n_texts = G_N_ELEMENTS (texts);
  return texts;
}

const VpConsentText *
vp_consent_text_lookup (const char *category)
{
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (g_strcmp0 (texts[i].category, category) == 0)
      return &texts[i];
  return NULL;
}

void
vp_consent_translation_free (VpConsentTranslation *translation)
{
  if (translation == NULL)
    return;
  g_free (translation->language);
  g_free (translation->name);
  g_free (translation->version);
  g_free (translation->translated_from);
  g_free (translation->reviewer);
  g_free (translation->reviewed_on);
  g_free (translation->draft_notice);
  g_clear_pointer (&translation->texts, g_hash_table_unref);
  g_free (translation);
}

static gboolean
invalid (GError     **error,
         const char  *language,
         const char  *what)
{
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               "Consent text %s: %s", language != NULL ? language : "(no language)", what);
  return FALSE;
}

/* An optional key: NULL when absent or empty. */
static char *
optional (GKeyFile   *file,
          const char *group,
          const char *key)
{
  g_autofree char *value = g_key_file_get_string (file, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);
  return value != NULL && *value != '\0' ? g_steal_pointer (&value) : NULL;
}

static gboolean
is_date (const char *text)
{
  unsigned year, month, day;
  char end;

  return strlen (text) == 10 && sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &end) == 3 &&
         g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

static gboolean
read_header (GKeyFile              *file,
             VpConsentTranslation  *t,
             GError               **error)
{
  g_autofree char *direction = optional (file, "Consent", "Direction");

  t->language = optional (file, "Consent", "Language");
  t->name = optional (file, "Consent", "Name");
  t->version = optional (file, "Consent", "Version");
  t->translated_from = optional (file, "Consent", "TranslatedFrom");
  t->reviewer = optional (file, "Consent", "Reviewer");
  t->reviewed_on = optional (file, "Consent", "ReviewedOn");
  t->draft_notice = optional (file, "Consent", "DraftNotice");

  if (t->language == NULL || !vp_is_language_code (t->language))
    return invalid (error, t->language, "Language is not a code from the app's language list");
  if (t->name == NULL || t->version == NULL)
    return invalid (error, t->language, "Name and Version are required");
  if (g_strcmp0 (direction, "rtl") != 0 && g_strcmp0 (direction, "ltr") != 0)
    return invalid (error, t->language, "Direction must be rtl or ltr");
  t->rtl = g_str_equal (direction, "rtl");
  if (t->translated_from != NULL && !vp_is_language_code (t->translated_from))
    return invalid (error, t->language, "TranslatedFrom is not a language code");
  if ((t->reviewer == NULL) != (t->reviewed_on == NULL))
    return invalid (error, t->language, "a review needs both Reviewer and ReviewedOn");
  if (t->reviewed_on != NULL && !is_date (t->reviewed_on))
    return invalid (error, t->language, "ReviewedOn must be a date, YYYY-MM-DD");
  if (t->translated_from != NULL && t->draft_notice == NULL)
    return invalid (error, t->language, "a translation needs a DraftNotice for the client");
  return TRUE;
}

static gboolean
read_texts (GKeyFile              *file,
            VpConsentTranslation  *t,
            GError               **error)
{
  t->texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i <= G_N_ELEMENTS (texts); i++)
    {
      const char *key = i < G_N_ELEMENTS (texts) ? texts[i].category : COMMON;
      char *text = optional (file, "Text", key);

      if (text == NULL)
        {
          g_autofree char *what = g_strdup_printf ("[Text] has no %s", key);
          return invalid (error, t->language, what);
        }
      g_hash_table_insert (t->texts, g_strdup (key), text);
    }
  return TRUE;
}

VpConsentTranslation *
vp_consent_translation_parse (GBytes  *bytes,
                              GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(VpConsentTranslation) t = g_new0 (VpConsentTranslation, 1);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (!g_key_file_load_from_data (file, data, size, G_KEY_FILE_NONE, error) ||
      !read_header (file, t, error) ||
      !read_texts (file, t, error))
    return NULL;
  return g_steal_pointer (&t);
}

gboolean
vp_consent_translation_is_reviewed (const VpConsentTranslation *translation)
{
  return translation->reviewer != NULL && translation->reviewed_on != NULL;
}

/* What the category records and why, then what holds for every category,
 * with the team's retention period filled in. */
char *
vp_consent_translation_format (const VpConsentTranslation *translation,
                               const char                 *category,
                               guint                       retention_months)
{
  const char *specific = g_hash_table_lookup (translation->texts, category);
  g_autofree char *months = g_strdup_printf ("%u", retention_months);
  GString *text;

  g_return_val_if_fail (specific != NULL, NULL);
  text = g_string_new (specific);
  g_string_append (text, "\n\n");
  g_string_append (text, g_hash_table_lookup (translation->texts, COMMON));
  g_string_replace (text, "{months}", months, 0);
  return g_string_free (text, FALSE);
}

/* The source text first, then English, then the app's language list. */
static guint
rank (const char *language)
{
  guint n;
  const VpLanguage *list = vp_languages (&n);

  if (g_str_equal (language, SOURCE_LANGUAGE))
    return 0;
  if (g_str_equal (language, "eng"))
    return 1;
  for (guint i = 0; i < n; i++)
    if (g_str_equal (list[i].code, language))
      return i + 2;
  return G_MAXUINT;
}

static int
by_rank (gconstpointer a,
         gconstpointer b)
{
  const VpConsentTranslation *ta = *(VpConsentTranslation *const *) a;
  const VpConsentTranslation *tb = *(VpConsentTranslation *const *) b;
  guint ra = rank (ta->language), rb = rank (tb->language);

  return ra < rb ? -1 : ra > rb;
}

static VpConsentTranslation *
load_resource (const char *name)
{
  g_autofree char *path = g_strconcat (RESOURCE_DIR, name, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autoptr(GError) error = NULL;
  VpConsentTranslation *t;

  if (bytes == NULL)
    return NULL;
  t = vp_consent_translation_parse (bytes, &error);
  if (t == NULL)
    g_critical ("%s: %s", path, error->message);
  return t;
}

static GPtrArray *
load_all (void)
{
  GPtrArray *all = g_ptr_array_new ();
  g_auto(GStrv) names = g_resources_enumerate_children (RESOURCE_DIR, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      VpConsentTranslation *t = g_str_has_suffix (names[i], ".ini") ? load_resource (names[i]) : NULL;

      if (t != NULL)
        g_ptr_array_add (all, t);
    }
  g_ptr_array_sort (all, by_rank);
  return all;
}

/* Read once, on first use, and kept for the life of the program. */
const VpConsentTranslation *const *
vp_consent_translations (guint *n_translations)
{
  static GPtrArray *all;

  if (g_once_init_enter (&all))
    g_once_init_leave (&all, load_all ());
  if (n_translations != NULL)
    *n_translations = all->len;
  return (const VpConsentTranslation *const *) all->pdata;
}

const VpConsentTranslation *
vp_consent_translation_lookup (const char *language)
{
  guint n;
  const VpConsentTranslation *const *all = vp_consent_translations (&n);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (all[i]->language, language) == 0)
      return all[i];
  return NULL;
}

/* The version to record for an explanation in this language: its own
 * text's, or the source text's when there is none in that language. */
const char *
vp_consent_text_version (const char *language)
{
  const VpConsentTranslation *t = vp_consent_translation_lookup (language);

  if (t == NULL)
    t = vp_consent_translation_lookup (SOURCE_LANGUAGE);
  g_return_val_if_fail (t != NULL, NULL);
  return t->version;
}
