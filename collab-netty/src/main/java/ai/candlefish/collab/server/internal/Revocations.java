package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.Revocation;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The principals the host revoked ({@code CollabServer.revoke}), remembered so that a token issued before the
 * revocation is refused when it comes back (a reconnect, a refresh, another document), whatever the authenticator
 * says. A principal whose token carries its issue time ({@link Principal#issuedAt()}) is accepted again with a token
 * issued after the revocation. A token without one cannot say whether it came before: it fails closed, refused
 * until the revocation is forgotten.
 *
 * <p>A revocation is remembered for the configured time to live, and longer if a token known to be issued before it
 * and valid for longer is seen (the live sessions' tokens at revocation, or one refused later whose issue time is
 * before it): until then that token would be accepted otherwise. A token without an issue time never makes it
 * longer: it may be a fresh one, and each fresh one would keep its principal refused until it expires, for good while
 * the principal signs in again. Memory is bounded: beyond the maximum number of entries the oldest revocation is
 * forgotten first. It is held in memory (not across restarts); in a cluster each node remembers the revocations made
 * on the others too ({@link #remember}).
 *
 * <p>Thread-safe.
 */
final class Revocations {
  private record Revoked(Instant at, Instant until) {}

  private final Duration ttl;
  private final int maxEntries;
  /** By tenant and principal id, oldest revocation first. */
  private final LinkedHashMap<String, Revoked> revoked = new LinkedHashMap<>();

  Revocations(Duration ttl, int maxEntries) {
    this.ttl = ttl;
    this.maxEntries = maxEntries;
  }

  /** Remembers that the principal was revoked {@code at}, for the time to live; returns the revocation. */
  Revocation revoke(String tenant, String principalId, Instant at) {
    Revocation r = new Revocation(tenant, principalId, at, at.plus(ttl));
    put(r, at);
    return r;
  }

  /**
   * Remembers a revocation made on another node of a cluster, for as long as it says and at least the time to live;
   * an older revocation of the same principal than the one remembered changes nothing.
   */
  void remember(Revocation r, Instant now) {
    Instant until = r.until().isAfter(r.at().plus(ttl)) ? r.until() : r.at().plus(ttl);
    put(new Revocation(r.tenant(), r.principalId(), r.at(), until), now);
  }

  private synchronized void put(Revocation r, Instant now) {
    forgetExpired(now);
    String key = key(r.tenant(), r.principalId());
    Revoked known = revoked.get(key);
    if (known != null && known.at().isAfter(r.at())) {
      return;
    }
    if (!now.isBefore(r.until())) {
      return;
    }
    revoked.remove(key); // put back last: the newest
    revoked.put(key, new Revoked(r.at(), known != null && known.until().isAfter(r.until()) ? known.until()
        : r.until()));
    while (revoked.size() > maxEntries) {
      Iterator<?> oldest = revoked.values().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * Whether {@code p} comes from a token issued before its principal was revoked, or without an issue time (then it
   * is refused). A token issued before and valid beyond what is remembered extends the memory to its expiry; one
   * without an issue time does not.
   */
  synchronized boolean isRevoked(Principal p, Instant now) {
    String key = key(p.tenant(), p.id());
    Revoked r = revoked.get(key);
    if (r == null) {
      return false;
    }
    if (!now.isBefore(r.until())) {
      revoked.remove(key);
      return false;
    }
    if (p.issuedAt() == null) {
      return true;
    }
    if (p.issuedAt().isAfter(r.at())) {
      return false;
    }
    coverUntil(p);
    return true;
  }

  /**
   * A token of {@code p} issued before its revocation exists (a live session's): the revocation is remembered at
   * least until it expires.
   */
  synchronized void coverUntil(Principal p) {
    String key = key(p.tenant(), p.id());
    Revoked r = revoked.get(key);
    if (r != null && p.expiresAt() != null && p.expiresAt().isAfter(r.until())) {
      revoked.put(key, new Revoked(r.at(), p.expiresAt()));
    }
  }

  synchronized int size() {
    return revoked.size();
  }

  private void forgetExpired(Instant now) {
    revoked.values().removeIf(r -> !now.isBefore(r.until()));
  }

  private static String key(String tenant, String principalId) {
    return tenant + '\n' + principalId;
  }
}
