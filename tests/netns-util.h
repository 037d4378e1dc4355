/* netns-util.h: network namespaces for tests that need their own network
 * (dnsmasq, nftables packet loss)
 *
 * A test creates a namespace with netsip_netns_new(), configures it
 * (netsip_netns_run: nft, ip), starts daemons inside it
 * (netsip_netns_spawn: dnsmasq) and re-executes its own program inside it
 * for the part that talks SIP (netsip_netns_run_self). netsip_netns_free()
 * ends every child by its PID, deletes the namespace and /etc/netns/NAME.
 *
 * If the test process dies before that (a failed g_assert aborts it, meson
 * kills it on timeout), a guardian process started with the namespace
 * (in its own session, so a kill of the test's process group misses it)
 * sees its stdin pipe close and deletes the namespace and /etc/netns/NAME;
 * the children die with the test through PR_SET_PDEATHSIG.
 *
 * Needs root and ip(8) (iproute2): netsip_netns_skip_if_unavailable()
 * calls g_test_skip() with the reason otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Set in the environment of a program netsip_netns_run_self() starts:
 * the name of the namespace it runs in. */
#define NETSIP_NETNS_ENV "NETSIP_TEST_NETNS"

typedef struct _NetSipNetns NetSipNetns;

/* Why namespaces cannot be used here (not root, no ip(8), ...), or NULL.
 * Each name in @programs (NULL-terminated, nullable) must be in PATH or
 * /usr/sbin too. Free with g_free. */
char        *netsip_netns_unavailable_reason (const char *const *programs);

/* If namespaces (and @programs) are unavailable: g_test_skip (reason) and
 * TRUE. */
gboolean     netsip_netns_skip_if_unavailable (const char *const *programs);

/* The namespace this process was started in by netsip_netns_run_self(),
 * or NULL when it runs normally. */
const char  *netsip_netns_inside (void);

/* Creates "netsip-TAG-PID-N" with lo up. @resolv_conf (nullable): the
 * contents of /etc/netns/NAME/resolv.conf, which `ip netns exec` mounts over
 * /etc/resolv.conf for the programs it starts. */
NetSipNetns *netsip_netns_new           (const char   *tag,
                                         const char   *resolv_conf,
                                         GError      **error);
const char  *netsip_netns_get_name      (NetSipNetns  *self);

/* Runs @argv inside the namespace to its end, at most @timeout_s seconds
 * (then it is killed and this fails). Fails if it exits non-zero; its
 * stderr is in the error message. @out (nullable): its stdout. */
gboolean     netsip_netns_run           (NetSipNetns        *self,
                                         const char *const  *argv,
                                         guint               timeout_s,
                                         char              **out,
                                         GError            **error);

/* Starts @argv inside the namespace; the namespace keeps a reference and
 * ends it by its PID in netsip_netns_free() (transfer none). */
GSubprocess *netsip_netns_spawn         (NetSipNetns        *self,
                                         GSubprocessFlags    flags,
                                         const char *const  *argv,
                                         GError            **error);

/* Ends @child (one of ours) by its PID now and waits for it. */
void         netsip_netns_kill          (NetSipNetns        *self,
                                         GSubprocess        *child);

/* Re-executes this test program inside the namespace for the test path
 * @test_path only (`-p`), with NETSIP_NETNS_ENV set and @extra_env
 * ("NAME=VALUE", nullable) added; at most @timeout_s seconds. Its output
 * is passed on with g_test_message(). Returns TRUE if it exited 0 and ran
 * the test (a skip inside counts as a failure: it must run); otherwise
 * FALSE with the reason in @error. */
gboolean     netsip_netns_run_self      (NetSipNetns        *self,
                                         const char         *test_path,
                                         const char *const  *extra_env,
                                         guint               timeout_s,
                                         GError            **error);

/* Ends every child by its PID, deletes the namespace and /etc/netns/NAME. */
void         netsip_netns_free          (NetSipNetns        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipNetns, netsip_netns_free)

G_END_DECLS
