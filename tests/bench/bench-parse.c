/* bench-parse.c: parse throughput and allocations, netsip-glib vs sofia-sip vs libosip2
 *
 * Every parser parses each message of tests/corpus/realistic/ and then reads
 * the values a transaction layer needs first (RFC 3261 §17.1.3, §17.2.3,
 * §12): the top Via branch, CSeq number and method, From tag, To tag and
 * Call-ID.  A parser that defers work until a value is asked for therefore
 * pays for what is read here, and one that parses everything up front pays
 * for that.
 *
 * Before timing, the values each parser returns are compared file by file:
 * a comparison against a parser that silently did nothing would be
 * worthless, so any disagreement fails the benchmark.
 *
 * Timing: warm-up, a short calibration, then rounds of whole corpus passes,
 * the parsers alternating round by round (A B C A B C ...) so that noise from
 * the machine spreads over all of them; the median round is reported.
 *
 * Allocations: malloc() and friends are defined in this executable (the
 * dynamic linker binds every library's calls to them) and forward to glibc's
 * __libc_* entry points; a flag turns counting on only around one pass of
 * parse + read + free per parser.  GLib 2.74's g_slice hands out memory from
 * its own magazines, invisible to malloc: run with G_SLICE=always-malloc
 * (meson sets it) so those allocations are counted too.
 *
 * Build without netsip-glib (to validate the other two parsers while the
 * library does not link): -DBENCH_WITH_NETSIP=0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#ifndef BENCH_WITH_NETSIP
#define BENCH_WITH_NETSIP 1
#endif

#if BENCH_WITH_NETSIP
#include "netsip-glib/netsip-message.h"
#include "netsip-glib/netsip-via.h"
#endif

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>

#include <osipparser2/osip_parser.h>
#include "bench-util.h"

#ifndef NETSIP_BENCH_CORPUS
#define NETSIP_BENCH_CORPUS "tests/corpus/realistic"
#endif

/* ------------------------------------------------------------------------ */
/* Types                                                                    */

typedef struct
{
  char   *name;
  GBytes *bytes;       /* made once; the parsers only read it */
  const char *data;
  gsize   len;
} Sample;

/* What each parser returned for one message, copied for comparison */
typedef struct
{
  char   *branch;
  guint32 cseq;
  char   *method;
  char   *from_tag;
  char   *to_tag;
  char   *call_id;
} Fields;

typedef enum
{
  PARSER_NETSIP,
  PARSER_SOFIA,
  PARSER_OSIP,
  N_PARSERS
} ParserId;

typedef guint64 (*PassFunc) (const Sample *samples, guint n_samples);

typedef struct
{
  const char *name;
  const char *option;      /* name for --only */
  gboolean    available;
  gboolean    enabled;
  PassFunc    pass;
  gboolean  (*parse_fields) (const Sample *s, Fields *out, char **error);

  guint       passes_per_round;
  double     *round_msgs_per_s;
  double      median_msgs_per_s;
  double      min_msgs_per_s;
  double      max_msgs_per_s;

  guint64     allocs;
  guint64     frees;
  guint64     alloc_bytes;
  guint64    *file_allocs;
} Parser;

/* ------------------------------------------------------------------------ */
/* Allocation counting                                                      */

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t nmemb, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
extern void  __libc_free (void *ptr);
extern void *__libc_memalign (size_t alignment, size_t size);

static volatile gboolean counting;
static guint64 count_allocs;
static guint64 count_frees;
static guint64 count_bytes;

static inline void
count_alloc (size_t size)
{
  if (G_UNLIKELY (counting))
    {
      count_allocs++;
      count_bytes += size;
    }
}

void *
malloc (size_t size)
{
  count_alloc (size);
  return __libc_malloc (size);
}

void *
calloc (size_t nmemb, size_t size)
{
  count_alloc (nmemb * size);
  return __libc_calloc (nmemb, size);
}

void *
realloc (void *ptr, size_t size)
{
  /* A realloc is a call into the allocator whether or not it moves */
  count_alloc (size);
  return __libc_realloc (ptr, size);
}

void
free (void *ptr)
{
  if (G_UNLIKELY (counting) && ptr != NULL)
    count_frees++;
  __libc_free (ptr);
}

void *
memalign (size_t alignment, size_t size)
{
  count_alloc (size);
  return __libc_memalign (alignment, size);
}

void *
aligned_alloc (size_t alignment, size_t size)
{
  count_alloc (size);
  return __libc_memalign (alignment, size);
}

int
posix_memalign (void **memptr, size_t alignment, size_t size)
{
  void *p;

  if (alignment % sizeof (void *) != 0 || (alignment & (alignment - 1)) != 0)
    return EINVAL;
  count_alloc (size);
  p = __libc_memalign (alignment, size);
  if (p == NULL)
    return ENOMEM;
  *memptr = p;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* Reads of the values land here so the compiler cannot drop them */
static volatile guint64 sink;

static inline guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

static inline guint64
touch (const char *s)
{
  return s != NULL ? (guint64) (guchar) s[0] : 0;
}

static void
fields_clear (Fields *f)
{
  g_clear_pointer (&f->branch, g_free);
  g_clear_pointer (&f->method, g_free);
  g_clear_pointer (&f->from_tag, g_free);
  g_clear_pointer (&f->to_tag, g_free);
  g_clear_pointer (&f->call_id, g_free);
  f->cseq = 0;
}

/* ------------------------------------------------------------------------ */
/* netsip-glib                                                              */

#if BENCH_WITH_NETSIP
static G_GNUC_NO_INLINE guint64
netsip_pass (const Sample *samples,
             guint         n_samples)
{
  guint64 acc = 0;

  for (guint i = 0; i < n_samples; i++)
    {
      GError *error = NULL;
      NetSipMessage *msg;
      NetSipVia *via;
      guint32 number = 0;
      const char *method = NULL;

      msg = net_sip_message_parse (samples[i].bytes, &error);
      if (G_UNLIKELY (msg == NULL))
        g_error ("netsip: %s: %s", samples[i].name, error->message);

      via = net_sip_message_get_top_via (msg, NULL);
      acc += touch (via != NULL ? net_sip_via_get_branch (via) : NULL);
      net_sip_message_get_cseq (msg, &number, &method, NULL);
      acc += number + touch (method);
      acc += touch (net_sip_message_get_from_tag (msg));
      acc += touch (net_sip_message_get_to_tag (msg));
      acc += touch (net_sip_message_get_call_id (msg));

      g_object_unref (msg);
    }

  return acc;
}

static gboolean
netsip_parse_fields (const Sample *s,
                     Fields       *out,
                     char        **error_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) msg = NULL;
  NetSipVia *via;
  const char *method = NULL;

  msg = net_sip_message_parse (s->bytes, &error);
  if (msg == NULL)
    {
      *error_out = g_strdup (error->message);
      return FALSE;
    }

  via = net_sip_message_get_top_via (msg, &error);
  if (via == NULL)
    {
      *error_out = g_strdup_printf ("top Via: %s", error != NULL ? error->message : "none");
      return FALSE;
    }
  out->branch = g_strdup (net_sip_via_get_branch (via));
  if (!net_sip_message_get_cseq (msg, &out->cseq, &method, &error))
    {
      *error_out = g_strdup_printf ("CSeq: %s", error != NULL ? error->message : "none");
      return FALSE;
    }
  out->method = g_strdup (method);
  out->from_tag = g_strdup (net_sip_message_get_from_tag (msg));
  out->to_tag = g_strdup (net_sip_message_get_to_tag (msg));
  out->call_id = g_strdup (net_sip_message_get_call_id (msg));

  return TRUE;
}
#endif /* BENCH_WITH_NETSIP */

/* ------------------------------------------------------------------------ */
/* sofia-sip                                                                */

/* msg_make() is sofia's own "parse this buffer" helper: msg_create(), a
 * receive buffer sized to the message (msg_recv_iovec), copy, commit with
 * end-of-stream, msg_extract(): the same steps nta takes for a datagram.
 * msg_extract() parses every header it has a class for, so reading the
 * fields afterwards is plain struct access. */
static inline msg_t *
sofia_parse (const Sample *s)
{
  return msg_make (sip_default_mclass (), 0, s->data, (ssize_t) s->len);
}

static G_GNUC_NO_INLINE guint64
sofia_pass (const Sample *samples,
            guint         n_samples)
{
  guint64 acc = 0;

  for (guint i = 0; i < n_samples; i++)
    {
      msg_t *msg;
      sip_t *sip;

      msg = sofia_parse (&samples[i]);
      sip = msg != NULL ? sip_object (msg) : NULL;
      if (G_UNLIKELY (sip == NULL || (sip->sip_flags & MSG_FLG_ERROR) ||
                      sip->sip_via == NULL || sip->sip_cseq == NULL ||
                      sip->sip_from == NULL || sip->sip_to == NULL ||
                      sip->sip_call_id == NULL))
        g_error ("sofia-sip: %s: parse failed", samples[i].name);

      acc += touch (sip->sip_via->v_branch);
      acc += sip->sip_cseq->cs_seq + touch (sip->sip_cseq->cs_method_name);
      acc += touch (sip->sip_from->a_tag);
      acc += touch (sip->sip_to->a_tag);
      acc += touch (sip->sip_call_id->i_id);

      msg_destroy (msg);
    }

  return acc;
}

static gboolean
sofia_parse_fields (const Sample *s,
                    Fields       *out,
                    char        **error_out)
{
  msg_t *msg;
  sip_t *sip;
  gboolean ok = FALSE;

  msg = sofia_parse (s);
  sip = msg != NULL ? sip_object (msg) : NULL;
  if (sip == NULL)
    *error_out = g_strdup ("msg_make() returned no message");
  else if (sip->sip_flags & MSG_FLG_ERROR)
    *error_out = g_strdup ("MSG_FLG_ERROR set");
  else if (sip->sip_error != NULL)
    *error_out = g_strdup_printf ("header '%s' not parsed",
                                  sip->sip_error->er_name != NULL ? sip->sip_error->er_name : "?");
  else if (!msg_is_complete (msg))
    *error_out = g_strdup ("message not complete");
  else if (sip->sip_via == NULL || sip->sip_cseq == NULL || sip->sip_from == NULL ||
           sip->sip_to == NULL || sip->sip_call_id == NULL)
    *error_out = g_strdup ("Via, CSeq, From, To or Call-ID missing");
  else
    {
      out->branch = g_strdup (sip->sip_via->v_branch);
      out->cseq = sip->sip_cseq->cs_seq;
      out->method = g_strdup (sip->sip_cseq->cs_method_name);
      out->from_tag = g_strdup (sip->sip_from->a_tag);
      out->to_tag = g_strdup (sip->sip_to->a_tag);
      out->call_id = g_strdup (sip->sip_call_id->i_id);
      ok = TRUE;
    }

  if (msg != NULL)
    msg_destroy (msg);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* libosip2                                                                 */

/* osip keeps Call-ID as number "@" host; joining them would allocate, so the
 * hot path reads both parts and only the comparison joins them. */
static G_GNUC_NO_INLINE guint64
osip_pass (const Sample *samples,
           guint         n_samples)
{
  guint64 acc = 0;

  for (guint i = 0; i < n_samples; i++)
    {
      osip_message_t *msg = NULL;
      osip_via_t *via = NULL;
      osip_generic_param_t *param = NULL;
      osip_cseq_t *cseq;
      osip_call_id_t *call_id;

      if (G_UNLIKELY (osip_message_init (&msg) != OSIP_SUCCESS ||
                      osip_message_parse (msg, samples[i].data, samples[i].len) != OSIP_SUCCESS))
        g_error ("libosip2: %s: parse failed", samples[i].name);

      if (osip_message_get_via (msg, 0, &via) >= 0 &&
          osip_via_param_get_byname (via, "branch", &param) >= 0 && param != NULL)
        acc += touch (param->gvalue);
      cseq = osip_message_get_cseq (msg);
      if (cseq != NULL)
        acc += strtoul (cseq->number, NULL, 10) + touch (cseq->method);
      param = NULL;
      if (msg->from != NULL && osip_from_get_tag (msg->from, &param) >= 0 && param != NULL)
        acc += touch (param->gvalue);
      param = NULL;
      if (msg->to != NULL && osip_to_get_tag (msg->to, &param) >= 0 && param != NULL)
        acc += touch (param->gvalue);
      call_id = osip_message_get_call_id (msg);
      if (call_id != NULL)
        acc += touch (call_id->number) + touch (call_id->host);

      osip_message_free (msg);
    }

  return acc;
}

static gboolean
osip_parse_fields (const Sample *s,
                   Fields       *out,
                   char        **error_out)
{
  osip_message_t *msg = NULL;
  osip_via_t *via = NULL;
  osip_generic_param_t *param = NULL;
  osip_cseq_t *cseq;
  osip_call_id_t *call_id;
  gboolean ok = FALSE;

  if (osip_message_init (&msg) != OSIP_SUCCESS)
    {
      *error_out = g_strdup ("osip_message_init() failed");
      return FALSE;
    }
  if (osip_message_parse (msg, s->data, s->len) != OSIP_SUCCESS)
    {
      *error_out = g_strdup ("osip_message_parse() failed");
      goto out;
    }

  cseq = osip_message_get_cseq (msg);
  call_id = osip_message_get_call_id (msg);
  if (osip_message_get_via (msg, 0, &via) < 0 || via == NULL || cseq == NULL ||
      msg->from == NULL || msg->to == NULL || call_id == NULL)
    {
      *error_out = g_strdup ("Via, CSeq, From, To or Call-ID missing");
      goto out;
    }

  if (osip_via_param_get_byname (via, "branch", &param) >= 0 && param != NULL)
    out->branch = g_strdup (param->gvalue);
  out->cseq = (guint32) strtoul (cseq->number, NULL, 10);
  out->method = g_strdup (cseq->method);
  param = NULL;
  if (osip_from_get_tag (msg->from, &param) >= 0 && param != NULL)
    out->from_tag = g_strdup (param->gvalue);
  param = NULL;
  if (osip_to_get_tag (msg->to, &param) >= 0 && param != NULL)
    out->to_tag = g_strdup (param->gvalue);
  if (call_id->host != NULL)
    out->call_id = g_strconcat (call_id->number, "@", call_id->host, NULL);
  else
    out->call_id = g_strdup (call_id->number);
  ok = TRUE;

out:
  osip_message_free (msg);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Corpus                                                                   */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static GArray *
load_corpus (const char *dir_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GArray *samples;
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  if (dir == NULL)
    g_error ("corpus: %s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".sip"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  if (names->len == 0)
    g_error ("corpus: no *.sip files in %s", dir_path);

  samples = g_array_sized_new (FALSE, TRUE, sizeof (Sample), names->len);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      Sample s = { 0 };
      char *contents;
      gsize len;

      /* Binary read: 31-message-utf8.sip has a non-ASCII body */
      if (!g_file_get_contents (path, &contents, &len, &error))
        g_error ("corpus: %s", error->message);
      s.name = g_strdup (names->pdata[i]);
      s.bytes = g_bytes_new_take (contents, len);
      s.data = g_bytes_get_data (s.bytes, &s.len);
      g_array_append_val (samples, s);
    }

  return samples;
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */

static gboolean
same_string (const char *a,
             const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

/* Every parser must return the same values for every file, and the values
 * every message of the corpus has (branch, CSeq, From tag, Call-ID) must be
 * there: a parser that skipped its work would fail here. */
static gboolean
verify (Parser       *parsers,
        const Sample *samples,
        guint         n_samples)
{
  gboolean ok = TRUE;
  guint n_to_tags = 0;

  for (guint i = 0; i < n_samples; i++)
    {
      Fields f[N_PARSERS] = { { 0 } };
      int ref = -1;

      for (int p = 0; p < N_PARSERS; p++)
        {
          g_autofree char *error = NULL;

          if (!parsers[p].available)
            continue;
          if (!parsers[p].parse_fields (&samples[i], &f[p], &error))
            {
              g_printerr ("CHECK FAILED: %s: %s: %s\n", parsers[p].name, samples[i].name, error);
              ok = FALSE;
              continue;
            }
          if (f[p].branch == NULL || !g_str_has_prefix (f[p].branch, "z9hG4bK") ||
              f[p].cseq == 0 || f[p].method == NULL ||
              f[p].from_tag == NULL || f[p].call_id == NULL)
            {
              g_printerr ("CHECK FAILED: %s: %s: branch=%s cseq=%u %s from-tag=%s call-id=%s\n",
                          parsers[p].name, samples[i].name, f[p].branch, f[p].cseq,
                          f[p].method, f[p].from_tag, f[p].call_id);
              ok = FALSE;
              continue;
            }
          if (ref < 0)
            {
              ref = p;
              if (f[p].to_tag != NULL)
                n_to_tags++;
              continue;
            }
          if (!same_string (f[p].branch, f[ref].branch) || f[p].cseq != f[ref].cseq ||
              !same_string (f[p].method, f[ref].method) ||
              !same_string (f[p].from_tag, f[ref].from_tag) ||
              !same_string (f[p].to_tag, f[ref].to_tag) ||
              !same_string (f[p].call_id, f[ref].call_id))
            {
              g_printerr ("CHECK FAILED: %s: %s and %s disagree:\n"
                          "  %-12s branch=%s cseq=%u %s from-tag=%s to-tag=%s call-id=%s\n"
                          "  %-12s branch=%s cseq=%u %s from-tag=%s to-tag=%s call-id=%s\n",
                          samples[i].name, parsers[ref].name, parsers[p].name,
                          parsers[ref].name, f[ref].branch, f[ref].cseq, f[ref].method,
                          f[ref].from_tag, f[ref].to_tag, f[ref].call_id,
                          parsers[p].name, f[p].branch, f[p].cseq, f[p].method,
                          f[p].from_tag, f[p].to_tag, f[p].call_id);
              ok = FALSE;
            }
        }

      for (int p = 0; p < N_PARSERS; p++)
        fields_clear (&f[p]);
    }

  if (ok)
    g_print ("check: %u messages, branch/CSeq/From tag/Call-ID present and equal across "
             "parsers (%u with a To tag, equal too)\n", n_samples, n_to_tags);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Measurement                                                              */

static void
count_allocations (Parser       *parser,
                   const Sample *samples,
                   guint         n_samples)
{
  parser->file_allocs = g_new0 (guint64, n_samples);

  for (guint i = 0; i < n_samples; i++)
    {
      guint64 before = count_allocs;

      counting = TRUE;
      sink += parser->pass (&samples[i], 1);
      counting = FALSE;
      parser->file_allocs[i] = count_allocs - before;
    }
  parser->allocs = count_allocs;
  parser->frees = count_frees;
  parser->alloc_bytes = count_bytes;
  count_allocs = count_frees = count_bytes = 0;
}

static void
measure (Parser       *parsers,
         const Sample *samples,
         guint         n_samples,
         guint         n_rounds,
         guint         round_ms)
{
  /* Warm-up (caches, branch predictors, lazily created types and interned
   * strings), then calibrate how many corpus passes make one round. */
  for (int p = 0; p < N_PARSERS; p++)
    {
      Parser *parser = &parsers[p];
      guint64 start, elapsed;
      guint passes = 0;

      if (!parser->enabled)
        continue;
      start = now_ns ();
      do
        {
          sink += parser->pass (samples, n_samples);
          passes++;
          elapsed = now_ns () - start;
        }
      while (elapsed < 100 * G_GUINT64_CONSTANT (1000000) && passes < 1000000);

      parser->passes_per_round =
        MAX (1, (guint) ((double) passes * round_ms * 1e6 / (double) elapsed));
      parser->round_msgs_per_s = g_new0 (double, n_rounds);
    }

  for (guint r = 0; r < n_rounds; r++)
    for (int p = 0; p < N_PARSERS; p++)
      {
        Parser *parser = &parsers[p];
        guint64 start, elapsed;

        if (!parser->enabled)
          continue;
        start = now_ns ();
        for (guint k = 0; k < parser->passes_per_round; k++)
          sink += parser->pass (samples, n_samples);
        elapsed = now_ns () - start;
        parser->round_msgs_per_s[r] =
          (double) parser->passes_per_round * n_samples * 1e9 / (double) elapsed;
      }

  for (int p = 0; p < N_PARSERS; p++)
    {
      Parser *parser = &parsers[p];
      double *sorted;

      if (!parser->enabled)
        continue;
      sorted = g_memdup2 (parser->round_msgs_per_s, n_rounds * sizeof (double));
      qsort (sorted, n_rounds, sizeof (double), bench_compare_doubles);
      parser->min_msgs_per_s = sorted[0];
      parser->max_msgs_per_s = sorted[n_rounds - 1];
      parser->median_msgs_per_s = n_rounds % 2 == 1
        ? sorted[n_rounds / 2]
        : (sorted[n_rounds / 2 - 1] + sorted[n_rounds / 2]) / 2;
      g_free (sorted);
    }
}

static void
print_report (Parser       *parsers,
              const Sample *samples,
              guint         n_samples,
              guint         n_rounds,
              gboolean      per_file,
              gboolean      allocs_only)
{
  const char *g_slice = g_getenv ("G_SLICE");
  gboolean slice_counted = g_slice != NULL && strstr (g_slice, "always-malloc") != NULL;
  g_autofree char *cpu = bench_read_first_line ("/proc/cpuinfo", "model name");
  g_autofree char *load = bench_read_first_line ("/proc/loadavg", NULL);
  Parser *netsip = &parsers[PARSER_NETSIP];

  g_print ("\nparse + read (top Via branch, CSeq, From tag, To tag, Call-ID), "
           "%u messages from the realistic corpus\n", n_samples);
  g_print ("machine: %s, %u CPUs, load average %s\n",
           cpu != NULL ? cpu : "?", g_get_num_processors (), load != NULL ? load : "?");
  if (!allocs_only)
    g_print ("timing: median of %u rounds, parsers alternating round by round\n", n_rounds);
  g_print ("allocations: malloc/calloc/realloc/memalign calls during one pass, "
           "G_SLICE=%s%s\n\n", g_slice != NULL ? g_slice : "(unset)",
           slice_counted ? " (g_slice allocations counted)"
                         : " -- WARNING: g_slice allocations are NOT counted");

  g_print ("%-12s %12s %9s %16s %11s %10s %11s\n",
           "parser", "msgs/s", "ns/msg", "round min..max", "allocs/msg", "frees/msg", "bytes/msg");
  g_print ("%-12s %12s %9s %16s %11s %10s %11s\n",
           "------", "------", "------", "--------------", "----------", "---------", "---------");
  for (int p = 0; p < N_PARSERS; p++)
    {
      Parser *parser = &parsers[p];

      if (!parser->enabled)
        continue;
      if (allocs_only)
        g_print ("%-12s %12s %9s %16s", parser->name, "-", "-", "-");
      else
        {
          g_autofree char *spread = g_strdup_printf ("%.0fk..%.0fk",
                                                     parser->min_msgs_per_s / 1000,
                                                     parser->max_msgs_per_s / 1000);
          g_print ("%-12s %12.0f %9.0f %16s", parser->name, parser->median_msgs_per_s,
                   1e9 / parser->median_msgs_per_s, spread);
        }
      g_print (" %11.2f %10.2f %11.0f\n",
               (double) parser->allocs / n_samples, (double) parser->frees / n_samples,
               (double) parser->alloc_bytes / n_samples);
    }

  if (netsip->enabled && !allocs_only)
    {
      g_print ("\n");
      if (parsers[PARSER_SOFIA].enabled)
        g_print ("netsip/sofia-sip: %.2fx msgs/s (goal >= 2.00x: %s)\n",
                 netsip->median_msgs_per_s / parsers[PARSER_SOFIA].median_msgs_per_s,
                 netsip->median_msgs_per_s >= 2 * parsers[PARSER_SOFIA].median_msgs_per_s
                 ? "met" : "NOT met");
      if (parsers[PARSER_OSIP].enabled)
        g_print ("netsip/libosip2:  %.2fx msgs/s\n",
                 netsip->median_msgs_per_s / parsers[PARSER_OSIP].median_msgs_per_s);
    }
  if (netsip->enabled)
    g_print ("netsip allocations: %.2f/msg (goal <= 3: %s)\n",
             (double) netsip->allocs / n_samples,
             netsip->allocs <= 3 * (guint64) n_samples ? "met" : "NOT met");

  if (per_file)
    {
      g_print ("\nallocations per file:\n%-36s", "file");
      for (int p = 0; p < N_PARSERS; p++)
        if (parsers[p].enabled)
          g_print (" %12s", parsers[p].name);
      g_print ("\n");
      for (guint i = 0; i < n_samples; i++)
        {
          g_print ("%-36s", samples[i].name);
          for (int p = 0; p < N_PARSERS; p++)
            if (parsers[p].enabled)
              g_print (" %12" G_GUINT64_FORMAT, parsers[p].file_allocs[i]);
          g_print ("\n");
        }
    }
}

/* ------------------------------------------------------------------------ */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *only = NULL;
  g_autofree char *corpus = NULL;
  int n_rounds = 7;
  int round_ms = 200;
  gboolean per_file = FALSE;
  gboolean allocs_only = FALSE;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      "Measure only these parsers (comma-separated: netsip, sofia, osip)", "LIST" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &n_rounds, "Timed rounds per parser (default 7)", "N" },
    { "round-ms", 0, 0, G_OPTION_ARG_INT, &round_ms,
      "Target duration of one round in ms (default 200)", "MS" },
    { "per-file", 0, 0, G_OPTION_ARG_NONE, &per_file, "Print allocations per file", NULL },
    { "allocs-only", 0, 0, G_OPTION_ARG_NONE, &allocs_only,
      "Only check and count allocations, no timing", NULL },
    G_OPTION_ENTRY_NULL
  };
  Parser parsers[N_PARSERS] = {
    [PARSER_NETSIP] = { "netsip-glib", "netsip", BENCH_WITH_NETSIP,
#if BENCH_WITH_NETSIP
                        .pass = netsip_pass, .parse_fields = netsip_parse_fields,
#endif
                      },
    [PARSER_SOFIA]  = { "sofia-sip", "sofia", TRUE,
                        .pass = sofia_pass, .parse_fields = sofia_parse_fields },
    [PARSER_OSIP]   = { "libosip2", "osip", TRUE,
                        .pass = osip_pass, .parse_fields = osip_parse_fields },
  };
  GArray *samples;
  const Sample *s;
  guint n;

  context = g_option_context_new ("[CORPUS-DIR] - compare SIP parsers");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_rounds < 1 || round_ms < 1)
    {
      g_printerr ("--rounds and --round-ms must be positive\n");
      return 2;
    }
  corpus = g_strdup (argc > 1 ? argv[1] : NETSIP_BENCH_CORPUS);

  for (int p = 0; p < N_PARSERS; p++)
    parsers[p].enabled = parsers[p].available;
  if (only != NULL)
    {
      g_auto(GStrv) names = g_strsplit (only, ",", -1);

      for (int p = 0; p < N_PARSERS; p++)
        parsers[p].enabled = FALSE;
      for (guint i = 0; names[i] != NULL; i++)
        {
          gboolean found = FALSE;

          for (int p = 0; p < N_PARSERS; p++)
            if (g_str_equal (g_strstrip (names[i]), parsers[p].option))
              {
                if (!parsers[p].available)
                  {
                    g_printerr ("%s is not built in (BENCH_WITH_NETSIP=0)\n", parsers[p].name);
                    return 2;
                  }
                parsers[p].enabled = found = TRUE;
              }
          if (!found)
            {
              g_printerr ("--only: unknown parser '%s' (netsip, sofia, osip)\n", names[i]);
              return 2;
            }
        }
    }

  /* libosip2's parser tables; sofia-sip's are static */
  if (parser_init () != 0)
    g_error ("libosip2: parser_init() failed");

  samples = load_corpus (corpus);
  s = (const Sample *) samples->data;
  n = samples->len;
  g_print ("corpus: %s: %u files\n", corpus, n);

  if (!verify (parsers, s, n))
    {
      g_printerr ("parsers disagree or did not parse: no numbers reported\n");
      return 1;
    }

  /* One pass first so that one-time setup (type registration, interned
   * strings, sofia's mclass) does not count as a per-message allocation */
  for (int p = 0; p < N_PARSERS; p++)
    if (parsers[p].enabled)
      {
        sink += parsers[p].pass (s, n);
        count_allocations (&parsers[p], s, n);
      }

  if (!allocs_only)
    measure (parsers, s, n, (guint) n_rounds, (guint) round_ms);

  print_report (parsers, s, n, (guint) n_rounds, per_file, allocs_only);

  for (guint i = 0; i < n; i++)
    {
      g_free (g_array_index (samples, Sample, i).name);
      g_bytes_unref (g_array_index (samples, Sample, i).bytes);
    }
  g_array_unref (samples);
  for (int p = 0; p < N_PARSERS; p++)
    {
      g_free (parsers[p].round_msgs_per_s);
      g_free (parsers[p].file_allocs);
    }

  return 0;
}
