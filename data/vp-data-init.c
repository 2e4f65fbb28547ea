/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <malloc.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "vp-data-init.h"
#include "vp-store-private.h"

/* What SQLCipher's PRAGMA cipher_memory_security promises, without its
 * price: that pragma calls mlock() on every allocation of the library and
 * munlock() on every free, which made bulk work 30 times slower.
 * Instead, for the whole process:
 *
 * - SQLite allocates through the allocator below, which wipes every block
 *   it frees (explicit_bzero(), which the compiler may not drop), and never
 *   lets realloc() move or shrink a block unwiped; no system call. The
 *   per-connection lookaside pool is off, so a small block is wiped when
 *   it is freed rather than when its connection closes.
 * - Keys live in OpenSSL's secure heap: one locked mapping (never swapped),
 *   left out of core dumps, wiped on free. SQLCipher locks its own key
 *   copies with mlock() whatever the pragma says.
 * - No core dumps, and the process is not dumpable: other processes of the
 *   same user cannot ptrace it or read its /proc/PID/mem.
 *
 * README, "Memory", has the threat model and the figures. */

/* Keys and the raw-key text: a few per open store (clones, backups). */
#define SECURE_HEAP_SIZE (16 * 1024)
#define SECURE_HEAP_MIN_BLOCK 32

static gboolean initialised;
/* SQLite initialised itself with our allocator (its xInit ran). */
static gboolean allocator_live;
/* Why vp_data_init() failed, for the error of every open after it. */
static char *init_failure;

static void *
wiping_malloc (int n)
{
  return malloc ((size_t) n);
}

/* The whole usable block: SQLite may use all of what xSize reports. */
static void
wiping_free (void *p)
{
  if (p == NULL)
    return;
  explicit_bzero (p, malloc_usable_size (p));
  free (p);
}

/* Never realloc(): it may move the block, or hand back its tail, without
 * wiping. SQLite never passes NULL or 0 here. */
static void *
wiping_realloc (void *p,
                int   n)
{
  size_t old_size = malloc_usable_size (p);
  void *q;

  if ((size_t) n <= old_size)
    return p;
  q = malloc ((size_t) n);
  if (q == NULL)
    return NULL;
  memcpy (q, p, old_size);
  wiping_free (p);
  return q;
}

static int
wiping_size (void *p)
{
  return (int) malloc_usable_size (p);
}

static int
wiping_roundup (int n)
{
  return (n + 7) & ~7;
}

static int
wiping_init (void *data)
{
  allocator_live = TRUE;
  return SQLITE_OK;
}

static void
wiping_shutdown (void *data)
{
  allocator_live = FALSE;
}

static sqlite3_mem_methods wiping_methods = {
  .xMalloc = wiping_malloc,
  .xFree = wiping_free,
  .xRealloc = wiping_realloc,
  .xSize = wiping_size,
  .xRoundup = wiping_roundup,
  .xInit = wiping_init,
  .xShutdown = wiping_shutdown,
};

static gboolean
core_dumps_off (void)
{
  struct rlimit core;

  return prctl (PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 &&
         getrlimit (RLIMIT_CORE, &core) == 0 && core.rlim_cur == 0;
}

static gboolean
turn_off_core_dumps (GError **error)
{
  struct rlimit none = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &none) != 0 || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED,
                   _("Core dumps could not be turned off: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
init_secure_heap (GError **error)
{
  int rc;

  if (CRYPTO_secure_malloc_initialized ())
    return TRUE;
  rc = CRYPTO_secure_malloc_init (SECURE_HEAP_SIZE, SECURE_HEAP_MIN_BLOCK);
  if (rc == 0)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED,
                           _("The protected memory for keys could not be set up"));
      return FALSE;
    }
  /* The heap works and is wiped on free, but may reach swap: said, not
   * refused (core dumps are off either way). */
  if (rc == 2)
    g_message ("OpenSSL's secure heap could not be locked in memory (mlock limit?)");
  return TRUE;
}

/* SQLCipher wraps whatever allocator SQLite has when it initialises
 * (sqlcipher_init_memmethods()), so ours goes in first; once SQLite runs,
 * its allocator can no longer be changed (SQLITE_MISUSE). */
static gboolean
install_allocator (GError **error)
{
  int rc;

  rc = sqlite3_config (SQLITE_CONFIG_MALLOC, &wiping_methods);
  if (rc == SQLITE_OK)
    rc = sqlite3_config (SQLITE_CONFIG_LOOKASIDE, 0, 0);
  if (rc == SQLITE_OK)
    rc = sqlite3_initialize ();
  if (rc != SQLITE_OK || !allocator_live)
    {
      g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED,
                   _("The memory of the store could not be protected, because SQLite was already in use (%s)"),
                   sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

/**
 * vp_data_init:
 * @error: return location for an error
 *
 * Protects the memory of the process for the store: no core dumps, a
 * secure heap for keys, and an SQLite allocator that wipes what it frees.
 * Call it first in main(), before threads and before any SQLite use.
 * Calling it again does nothing.
 *
 * Returns: %TRUE on success; otherwise stores stay closed in this process,
 *   and their open fails with this error's reason
 */
gboolean
vp_data_init (GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (initialised)
    return TRUE;
  if (!turn_off_core_dumps (&local_error) ||
      !init_secure_heap (&local_error) ||
      !install_allocator (&local_error))
    {
      g_free (init_failure);
      init_failure = g_strdup (local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  initialised = TRUE;
  return TRUE;
}

/* Before a store's connection opens: the protection is in place, and still
 * is (a setuid() call, for one, makes a process dumpable again). */
gboolean
_vp_data_check_protected (GError **error)
{
  if (!initialised || !allocator_live)
    {
      if (init_failure != NULL)
        g_set_error (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED,
                     _("The store stays closed because its memory is not protected: %s"), init_failure);
      else
        g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED,
                             _("The store stays closed because this program did not protect its memory first"));
      return FALSE;
    }
  if (!core_dumps_off ())
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_UNPROTECTED,
                           _("The store stays closed because core dumps have been turned back on"));
      return FALSE;
    }
  return TRUE;
}
