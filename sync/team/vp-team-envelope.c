/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team-envelope"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>
#include <zlib.h>

#include "vp-team-envelope.h"
#include "vp-team-error.h"

/* Reading is done twice over: json-glib reads the document into values,
 * and the writer below writes those values again; only when that gives
 * the very same bytes is the envelope accepted. So there is one writer to
 * trust, and a second spelling of the same envelope (another escape, a
 * space, another order of keys, a duplicate key) is refused rather than
 * half understood. A batch is checked by vp_change_batch_from_json(),
 * which is just as strict.
 *
 * Compression. A new laptop's first sync carries the whole caseload, a
 * few hundred bytes of JSON per field: deflated it is about a tenth of
 * that on the relay and on the wire. Compressing before sealing leaks
 * through the sealed size when an observer sees that size closely and
 * can put chosen text beside a secret in the same compressed message, as
 * CRIME and BREACH did. Here neither holds:
 *
 * - the relay sees only the bucket (1, 4, 16, 64, 256 KiB, then steps of
 *   256 KiB): a guess that saves a few bytes moves no blob to another
 *   bucket, except by a chance that the guesser cannot steer or repeat;
 * - only envelopes of VP_TEAM_ENVELOPE_COMPRESS_MIN bytes and more are
 *   compressed: the everyday push of a write or two (the only kind an
 *   outsider could provoke, by having a coach type something, and watch
 *   arrive) stays as it was, so its bucket says what it said before;
 * - what is compressed is a laptop's own backlog of thousands of changes
 *   (a first sync, a long offline spell): no one outside the team chooses
 *   it, and it is sent once, not on demand.
 *
 * So the relay learns no more than the buckets told it before: roughly
 * how much a laptop had to send. Reading, the length is given up front and
 * bounded, the inflated bytes must be exactly that long and the stream
 * must end exactly at the end of the blob; the JSON inside is then read
 * as strictly as an uncompressed one. The compressed bytes themselves are
 * not compared with a second compression: another zlib writes other bytes
 * for the same text, and inflating has one result whatever wrote it, so
 * they cannot be read two ways. zlib is used directly, not through
 * GZlibCompressor, so that its windows of plaintext are wiped when freed,
 * as every other buffer of records here is. */

#define COMPRESSED_MAGIC "\x89VZ1"
#define COMPRESSED_MAGIC_LEN 4
#define COMPRESSED_HEAD_LEN (COMPRESSED_MAGIC_LEN + 4)

gboolean
vp_team_role_from_string (const char *text,
                          VpTeamRole *role)
{
  for (guint i = 0; i < VP_N_TEAM_ROLES; i++)
    if (g_strcmp0 (text, vp_team_role_to_string (i)) == 0)
      {
        *role = i;
        return TRUE;
      }
  return FALSE;
}

VpEnvelopeDevice *
vp_envelope_device_new (const VpUid  *uid,
                        VpTeamRole    role,
                        const char   *name,
                        const char   *enrolled_at,
                        const char   *removed_at,
                        const guint8 *public_key)
{
  VpEnvelopeDevice *device = g_new0 (VpEnvelopeDevice, 1);

  device->uid = *uid;
  device->role = role;
  device->name = g_strdup (name);
  device->enrolled_at = g_strdup (enrolled_at);
  device->removed_at = g_strdup (removed_at);
  if (public_key != NULL)
    {
      device->has_public_key = TRUE;
      memcpy (device->public_key, public_key, VP_X25519_KEY_LEN);
    }
  return device;
}

void
vp_envelope_device_free (VpEnvelopeDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->enrolled_at);
  g_free (device->removed_at);
  g_free (device);
}

void
vp_team_envelope_free (VpTeamEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_clear_pointer (&envelope->changes, g_ptr_array_unref);
  g_clear_pointer (&envelope->accounts, g_ptr_array_unref);
  g_clear_pointer (&envelope->devices, g_ptr_array_unref);
  g_free (envelope);
}

/* ---- Writing ---------------------------------------------------------- */

static void
wipe_string (gpointer data)
{
  char *text = data;

  OPENSSL_cleanse (text, strlen (text));
  g_free (text);
}

static void wipe_gstring (GString *s);

/* ---- zlib, with memory that is wiped when freed ------------------------- */

/* Each block remembers its size in front, aligned as malloc's are. */
#define BLOCK_HEAD 16

static voidpf
wiping_alloc (voidpf opaque,
              uInt   items,
              uInt   size)
{
  gsize n;
  guint8 *block;

  if (size != 0 && items > (G_MAXSIZE - BLOCK_HEAD) / size)
    return Z_NULL;
  n = (gsize) items * size;
  block = g_try_malloc (n + BLOCK_HEAD);
  if (block == NULL)
    return Z_NULL;
  memcpy (block, &n, sizeof n);
  return block + BLOCK_HEAD;
}

static void
wiping_free (voidpf opaque,
             voidpf address)
{
  guint8 *block = (guint8 *) address - BLOCK_HEAD;
  gsize n;

  memcpy (&n, block, sizeof n);
  OPENSSL_cleanse (address, n);
  g_free (block);
}

static void
wipe_buffer (gpointer data,
             gsize    len)
{
  OPENSSL_cleanse (data, len);
  g_free (data);
}

typedef struct {
  guint8 *data;
  gsize   len;
} WipedBlock;

static void
wiped_block_free (gpointer data)
{
  WipedBlock *b = data;

  wipe_buffer (b->data, b->len);
  g_free (b);
}

/* Takes data (g_malloc'd, len bytes): wiped when the GBytes goes. */
static GBytes *
wiped_bytes_take (guint8 *data,
                  gsize   len)
{
  WipedBlock *b = g_new (WipedBlock, 1);

  b->data = data;
  b->len = len;
  return g_bytes_new_with_free_func (data, len, wiped_block_free, b);
}

/* The compressed form of an envelope, or NULL when it would not be
 * shorter (or zlib fails: the plain form is as good, only larger). */
static GBytes *
deflate_envelope (const char *text,
                  gsize       len)
{
  z_stream z = { .zalloc = wiping_alloc, .zfree = wiping_free };
  gsize room;
  guint8 *out;
  int rc;

  if (deflateInit2 (&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  room = COMPRESSED_HEAD_LEN + deflateBound (&z, (uLong) len);
  out = g_malloc (room);
  memcpy (out, COMPRESSED_MAGIC, COMPRESSED_MAGIC_LEN);
  out[4] = (guint8) (len >> 24);
  out[5] = (guint8) (len >> 16);
  out[6] = (guint8) (len >> 8);
  out[7] = (guint8) len;
  z.next_in = (Bytef *) text;
  z.avail_in = (uInt) len;
  z.next_out = out + COMPRESSED_HEAD_LEN;
  z.avail_out = (uInt) (room - COMPRESSED_HEAD_LEN);
  rc = deflate (&z, Z_FINISH);
  deflateEnd (&z);
  if (rc != Z_STREAM_END || COMPRESSED_HEAD_LEN + z.total_out >= len)
    {
      wipe_buffer (out, room);
      return NULL;
    }
  /* Only the used part is handed on; the rest is wiped now. */
  OPENSSL_cleanse (out + COMPRESSED_HEAD_LEN + z.total_out, room - COMPRESSED_HEAD_LEN - z.total_out);
  return wiped_bytes_take (out, COMPRESSED_HEAD_LEN + z.total_out);
}

/* A compressed envelope's JSON, exactly as long as it says and at most
 * VP_TEAM_ENVELOPE_MAX_INFLATED; NULL for anything else. */
static guint8 *
inflate_envelope (const guint8 *data,
                  gsize         length,
                  gsize        *out_len)
{
  z_stream z = { .zalloc = wiping_alloc, .zfree = wiping_free };
  gsize declared;
  guint8 *out;
  int rc;

  if (length <= COMPRESSED_HEAD_LEN || length - COMPRESSED_HEAD_LEN > G_MAXUINT32)
    return NULL;
  declared = (gsize) data[4] << 24 | (gsize) data[5] << 16 | (gsize) data[6] << 8 | data[7];
  /* The bound comes before any allocation: a few bytes of deflate can
   * stand for a thousand times as many. */
  if (declared == 0 || declared > VP_TEAM_ENVELOPE_MAX_INFLATED)
    return NULL;
  if (inflateInit2 (&z, -15) != Z_OK)
    return NULL;
  out = g_malloc (declared);
  z.next_in = (Bytef *) data + COMPRESSED_HEAD_LEN;
  z.avail_in = (uInt) (length - COMPRESSED_HEAD_LEN);
  z.next_out = out;
  z.avail_out = (uInt) declared;
  rc = inflate (&z, Z_FINISH);
  inflateEnd (&z);
  /* The stream ends exactly where the blob's plaintext does, having
   * given exactly the length it said. */
  if (rc != Z_STREAM_END || z.avail_in != 0 || z.avail_out != 0)
    {
      wipe_buffer (out, declared);
      return NULL;
    }
  *out_len = declared;
  return out;
}

/* The envelope holds names and records: its buffer is wiped when freed.
 * A large one goes compressed when that is shorter. */
static GBytes *
string_to_bytes (GString *s)
{
  gsize len = s->len;
  char *text;

  if (len >= VP_TEAM_ENVELOPE_COMPRESS_MIN && len <= VP_TEAM_ENVELOPE_MAX_INFLATED)
    {
      GBytes *compressed = deflate_envelope (s->str, len);

      if (compressed != NULL)
        {
          wipe_gstring (s);
          return compressed;
        }
    }
  text = g_string_free (s, FALSE);
  return g_bytes_new_with_free_func (text, len, wipe_string, text);
}

static void
wipe_gstring (GString *s)
{
  OPENSSL_cleanse (s->str, s->allocated_len);
  g_string_free (s, TRUE);
}

/* A GString that holds names or records: wiped when freed. */
typedef GString SecretString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SecretString, wipe_gstring)

static gboolean
append_string (GString     *s,
               const char  *v,
               GError     **error)
{
  if (v == NULL)
    {
      g_string_append (s, "null");
      return TRUE;
    }
  if (!g_utf8_validate (v, -1, NULL))
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("A name in the team is not valid text"));
      return FALSE;
    }
  g_string_append_c (s, '"');
  for (const guchar *p = (const guchar *) v; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (s, "\\\""); break;
      case '\\': g_string_append (s, "\\\\"); break;
      case '\b': g_string_append (s, "\\b"); break;
      case '\f': g_string_append (s, "\\f"); break;
      case '\n': g_string_append (s, "\\n"); break;
      case '\r': g_string_append (s, "\\r"); break;
      case '\t': g_string_append (s, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (s, "\\u%04x", *p);
        else
          g_string_append_c (s, (char) *p);
      }
  g_string_append_c (s, '"');
  return TRUE;
}

static void
append_uid (GString     *s,
            const VpUid *uid)
{
  char text[VP_UID_STRING_LEN + 1];

  vp_uid_to_string (uid, text);
  g_string_append_printf (s, "\"%s\"", text);
}

static gboolean
append_accounts (GString    *s,
                 GPtrArray  *accounts,
                 GError    **error)
{
  g_string_append_c (s, '[');
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const VpTeamAccount *a = g_ptr_array_index (accounts, i);

      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, "{\"name\":");
      if (!append_string (s, a->name, error))
        return FALSE;
      g_string_append_printf (s, ",\"role\":\"%s\",\"uid\":", vp_team_role_to_string (a->role));
      append_uid (s, &a->uid);
      g_string_append_c (s, '}');
    }
  g_string_append_c (s, ']');
  return TRUE;
}

/* Keys in byte order: enrolled_at, name, public_key, removed_at, role, uid.
 * A device envelope has no enrolment time: the laptop only says who it is. */
static gboolean
append_device (GString                *s,
               const VpEnvelopeDevice *d,
               gboolean                with_times,
               GError                **error)
{
  g_string_append_c (s, '{');
  if (with_times)
    {
      g_string_append (s, "\"enrolled_at\":");
      if (!append_string (s, d->enrolled_at, error))
        return FALSE;
      g_string_append_c (s, ',');
    }
  g_string_append (s, "\"name\":");
  if (!append_string (s, d->name, error))
    return FALSE;
  g_string_append (s, ",\"public_key\":");
  if (d->has_public_key)
    {
      g_string_append_c (s, '"');
      for (guint i = 0; i < VP_X25519_KEY_LEN; i++)
        g_string_append_printf (s, "%02x", d->public_key[i]);
      g_string_append_c (s, '"');
    }
  else
    g_string_append (s, "null");
  if (with_times)
    {
      g_string_append (s, ",\"removed_at\":");
      if (!append_string (s, d->removed_at, error))
        return FALSE;
    }
  g_string_append_printf (s, ",\"role\":\"%s\",\"uid\":", vp_team_role_to_string (d->role));
  append_uid (s, &d->uid);
  g_string_append_c (s, '}');
  return TRUE;
}

static void
append_tail (GString    *s,
             const char *kind)
{
  g_string_append_printf (s, ",\"format\":\"%s\",\"kind\":\"%s\"}", VP_TEAM_ENVELOPE_FORMAT, kind);
}

static GString *
changes_prefix (GPtrArray  *accounts,
                GError    **error)
{
  g_autoptr(SecretString) s = g_string_sized_new (256);

  g_string_append (s, "{\"accounts\":");
  if (!append_accounts (s, accounts, error))
    return NULL;
  g_string_append (s, ",\"batch\":");
  return g_steal_pointer (&s);
}

static GBytes *
write_changes (VpChange * const  *changes,
               guint              n_changes,
               GPtrArray         *accounts,
               const char        *kind,
               GError           **error)
{
  g_autoptr(SecretString) s = NULL;
  gsize batch_len = 0;
  char *batch;

  s = changes_prefix (accounts, error);
  if (s == NULL)
    return NULL;
  batch = vp_change_batch_to_json (changes, n_changes, &batch_len);
  g_string_append_len (s, batch, (gssize) batch_len);
  OPENSSL_cleanse (batch, batch_len);
  g_free (batch);
  append_tail (s, kind);
  return string_to_bytes (g_steal_pointer (&s));
}

GBytes *
vp_team_envelope_changes (VpChange * const  *changes,
                          guint              n_changes,
                          GPtrArray         *accounts,
                          GError           **error)
{
  return write_changes (changes, n_changes, accounts, "changes", error);
}

/* A snapshot's part is a batch of changes under its own kind, so that a
 * laptop knows it may carry other laptops' changes (#16, compaction). */
GBytes *
vp_team_envelope_snapshot (VpChange * const  *changes,
                           guint              n_changes,
                           GPtrArray         *accounts,
                           GError           **error)
{
  return write_changes (changes, n_changes, accounts, "snapshot", error);
}

static GString *
write_roster (guint32     epoch,
              GPtrArray  *devices,
              GError    **error)
{
  g_autoptr(SecretString) s = g_string_sized_new (512);

  g_string_append (s, "{\"devices\":[");
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      if (!append_device (s, g_ptr_array_index (devices, i), TRUE, error))
        return NULL;
    }
  g_string_append_printf (s, "],\"epoch\":%u", epoch);
  append_tail (s, "roster");
  return g_steal_pointer (&s);
}

GBytes *
vp_team_envelope_roster (guint32     epoch,
                         GPtrArray  *devices,
                         GError    **error)
{
  GString *s = write_roster (epoch, devices, error);

  return s != NULL ? string_to_bytes (s) : NULL;
}

static GString *
write_device (const VpEnvelopeDevice  *device,
              GError                 **error)
{
  g_autoptr(SecretString) s = g_string_sized_new (256);

  g_string_append (s, "{\"device\":");
  if (!append_device (s, device, FALSE, error))
    return NULL;
  append_tail (s, "device");
  return g_steal_pointer (&s);
}

GBytes *
vp_team_envelope_device (const VpEnvelopeDevice  *device,
                         GError                 **error)
{
  GString *s = write_device (device, error);

  return s != NULL ? string_to_bytes (s) : NULL;
}

/* ---- Reading ---------------------------------------------------------- */

static gboolean
invalid (GError **error)
{
  g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                       _("A message from the team is not in the form this version of Vindplaats writes"));
  return FALSE;
}

/* A member that must be a string (or, if nullable, null). */
static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gboolean     nullable,
            const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return nullable;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_uid (JsonObject *object,
         VpUid      *uid)
{
  const char *text;

  return get_string (object, "uid", FALSE, &text) && vp_uid_parse (text, uid, NULL);
}

static gboolean
get_role (JsonObject *object,
          VpTeamRole *role)
{
  const char *text;

  return get_string (object, "role", FALSE, &text) && vp_team_role_from_string (text, role);
}

static GPtrArray *
read_accounts (JsonArray *array)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_team_account_free);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o;
      VpTeamAccount *a;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      o = json_node_get_object (node);
      a = g_new0 (VpTeamAccount, 1);
      g_ptr_array_add (accounts, a);
      if (!get_uid (o, &a->uid) || !get_role (o, &a->role)
          || !get_string (o, "name", FALSE, &name))
        return NULL;
      a->name = g_strdup (name);
    }
  return g_steal_pointer (&accounts);
}

static gboolean
parse_public_key (const char *hex,
                  guint8      out[VP_X25519_KEY_LEN])
{
  if (strlen (hex) != 2 * VP_X25519_KEY_LEN)
    return FALSE;
  for (guint i = 0; i < VP_X25519_KEY_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

static VpEnvelopeDevice *
read_device (JsonNode *node,
             gboolean  with_times)
{
  g_autoptr(VpEnvelopeDevice) d = g_new0 (VpEnvelopeDevice, 1);
  JsonObject *o;
  const char *name, *key, *enrolled = NULL, *removed = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  o = json_node_get_object (node);
  if (!get_uid (o, &d->uid) || !get_role (o, &d->role)
      || !get_string (o, "name", FALSE, &name)
      || !get_string (o, "public_key", TRUE, &key))
    return NULL;
  if (with_times && (!get_string (o, "enrolled_at", FALSE, &enrolled)
                     || !get_string (o, "removed_at", TRUE, &removed)))
    return NULL;
  if (key != NULL)
    {
      if (!parse_public_key (key, d->public_key))
        return NULL;
      d->has_public_key = TRUE;
    }
  d->name = g_strdup (name);
  d->enrolled_at = g_strdup (enrolled);
  d->removed_at = g_strdup (removed);
  return g_steal_pointer (&d);
}

static gboolean
read_changes (VpTeamEnvelope *e,
              JsonObject     *root,
              const guint8   *data,
              gsize           length,
              const char     *kind)
{
  JsonNode *accounts = json_object_get_member (root, "accounts");
  g_autoptr(SecretString) prefix = NULL;
  g_autoptr(SecretString) suffix = g_string_new (NULL);
  gsize batch_len;

  if (accounts == NULL || !JSON_NODE_HOLDS_ARRAY (accounts)
      || json_object_get_size (root) != 4 || !json_object_has_member (root, "batch"))
    return FALSE;
  e->accounts = read_accounts (json_node_get_array (accounts));
  if (e->accounts == NULL)
    return FALSE;
  /* The batch is read from the very bytes between the canonical prefix
   * and tail: it must be canonical itself, so that is all it can be. */
  prefix = changes_prefix (e->accounts, NULL);
  append_tail (suffix, kind);
  if (prefix == NULL || length < prefix->len + suffix->len
      || memcmp (data, prefix->str, prefix->len) != 0
      || memcmp (data + length - suffix->len, suffix->str, suffix->len) != 0)
    return FALSE;
  batch_len = length - prefix->len - suffix->len;
  e->changes = vp_change_batch_from_json ((const char *) data + prefix->len, batch_len, NULL);
  return e->changes != NULL;
}

static gboolean
same_bytes (GString      *s,
            const guint8 *data,
            gsize         length)
{
  return s != NULL && s->len == length && memcmp (s->str, data, length) == 0;
}

static gboolean
read_roster (VpTeamEnvelope *e,
             JsonObject     *root,
             const guint8   *data,
             gsize           length)
{
  JsonNode *devices = json_object_get_member (root, "devices");
  JsonNode *epoch = json_object_get_member (root, "epoch");
  g_autoptr(SecretString) again = NULL;
  JsonArray *array;
  gint64 value;

  if (devices == NULL || !JSON_NODE_HOLDS_ARRAY (devices) || epoch == NULL
      || !JSON_NODE_HOLDS_VALUE (epoch) || json_node_get_value_type (epoch) != G_TYPE_INT64)
    return FALSE;
  value = json_node_get_int (epoch);
  if (value < 1 || value > G_MAXUINT32)
    return FALSE;
  e->epoch = (guint32) value;
  array = json_node_get_array (devices);
  e->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_envelope_device_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      VpEnvelopeDevice *d = read_device (json_array_get_element (array, i), TRUE);

      if (d == NULL)
        return FALSE;
      g_ptr_array_add (e->devices, d);
    }
  again = write_roster (e->epoch, e->devices, NULL);
  return same_bytes (again, data, length);
}

static gboolean
read_device_kind (VpTeamEnvelope *e,
                  JsonObject     *root,
                  const guint8   *data,
                  gsize           length)
{
  JsonNode *node = json_object_get_member (root, "device");
  g_autoptr(SecretString) again = NULL;
  VpEnvelopeDevice *d;

  if (node == NULL || (d = read_device (node, FALSE)) == NULL)
    return FALSE;
  e->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_envelope_device_free);
  g_ptr_array_add (e->devices, d);
  again = write_device (d, NULL);
  return same_bytes (again, data, length);
}

/* The envelope's shape nests a few levels deep (envelope, list, change,
 * batch). json-glib's parser recurses, so a blob of a million open
 * brackets, from anyone with the team key, would overflow its stack on
 * every laptop and every round: the nesting is counted first, without
 * recursion, outside strings. */
#define MAX_NESTING 16

static gboolean
nesting_is_shallow (const guint8 *data,
                    gsize         length)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      guint8 c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_NESTING)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}
static VpTeamEnvelope *parse_json (const guint8 *data, gsize length, GError **error);

VpTeamEnvelope *
vp_team_envelope_parse (const guint8  *data,
                        gsize          length,
                        GError       **error)
{
  VpTeamEnvelope *e;
  gsize json_len = 0;
  guint8 *json;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length < COMPRESSED_MAGIC_LEN || memcmp (data, COMPRESSED_MAGIC, COMPRESSED_MAGIC_LEN) != 0)
    return parse_json (data, length, error);
  /* Compressed once, never twice: the JSON starts with '{'. */
  json = inflate_envelope (data, length, &json_len);
  if (json == NULL || json[0] != '{')
    {
      if (json != NULL)
        wipe_buffer (json, json_len);
      invalid (error);
      return NULL;
    }
  e = parse_json (json, json_len, error);
  wipe_buffer (json, json_len);
  return e;
}

static VpTeamEnvelope *
parse_json (const guint8  *data,
            gsize          length,
            GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(VpTeamEnvelope) e = g_new0 (VpTeamEnvelope, 1);
  JsonObject *root;
  const char *format, *kind;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0 || length > G_MAXSSIZE || !nesting_is_shallow (data, length)
      || !json_parser_load_from_data (parser, (const char *) data, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      invalid (error);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (!get_string (root, "format", FALSE, &format) || !get_string (root, "kind", FALSE, &kind))
    {
      invalid (error);
      return NULL;
    }
  if (!g_str_equal (format, VP_TEAM_ENVELOPE_FORMAT))
    {
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID,
                           _("A message from the team has a format that this version of Vindplaats cannot read"));
      return NULL;
    }
  if (g_str_equal (kind, "changes"))
    {
      e->kind = VP_ENVELOPE_CHANGES;
      ok = read_changes (e, root, data, length, "changes");
    }
  else if (g_str_equal (kind, "snapshot"))
    {
      e->kind = VP_ENVELOPE_SNAPSHOT;
      ok = read_changes (e, root, data, length, "snapshot");
    }
  else if (g_str_equal (kind, "roster"))
    {
      e->kind = VP_ENVELOPE_ROSTER;
      ok = json_object_get_size (root) == 4 && read_roster (e, root, data, length);
    }
  else if (g_str_equal (kind, "device"))
    {
      e->kind = VP_ENVELOPE_DEVICE;
      ok = json_object_get_size (root) == 3 && read_device_kind (e, root, data, length);
    }
  else
    ok = FALSE;
  if (!ok)
    {
      invalid (error);
      return NULL;
    }
  return g_steal_pointer (&e);
}
