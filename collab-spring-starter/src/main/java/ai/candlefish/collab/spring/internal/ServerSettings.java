package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spring.CollabProperties;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Copies {@link CollabProperties} onto a server builder. What the constraints on the properties let through and the
 * builder still refuses (a path, an origin, a combination, a TLS file) becomes an
 * {@link InvalidCollabPropertyException} naming the property, for Boot's start-up report.
 */
public final class ServerSettings {
  private static final String PREFIX = "candlefish.collab.";

  private ServerSettings() {}

  /**
   * @param tlsFromBundle the server context of {@code candlefish.collab.ssl.bundle}, or null
   * @param shutdownTimeout how long stopping may wait for documents to be stored
   */
  public static CollabServer.Builder apply(CollabProperties p, CollabServer.Builder b, SslContext tlsFromBundle,
      Duration shutdownTimeout) {
    if (p.host() != null && !p.host().isBlank()) {
      set("host", p.host(), () -> b.host(p.host()));
    }
    set("port", p.port(), () -> b.port(p.port()));
    set("path", p.path(), () -> b.pathPrefix(p.path()));
    if (p.tls().enabled() && p.ssl().enabled()) {
      throw new InvalidCollabPropertyException(PREFIX + "ssl.bundle", p.ssl().bundle(),
          "candlefish.collab.tls.* is set too", "Use either an SSL bundle or the tls.* PEM files, not both", null);
    }
    if (tlsFromBundle != null) {
      b.tls(tlsFromBundle);
    } else if (p.tls().enabled()) {
      b.tls(pemContext(p.tls()));
    }
    CollabProperties.Limits limits = p.limits();
    set("limits.max-message-size", limits.maxMessageSize(),
        () -> b.maxMessageSize(Math.toIntExact(limits.maxMessageSize().toBytes())));
    set("limits.max-documents-per-connection", limits.maxDocumentsPerConnection(),
        () -> b.maxDocumentsPerConnection(limits.maxDocumentsPerConnection()));
    set("limits.messages-per-second", limits.messagesPerSecond(),
        () -> b.messageRate(limits.messagesPerSecond(), limits.messageBurst()));
    set("limits.idle-timeout", limits.idleTimeout(), () -> b.idleTimeout(limits.idleTimeout()));
    set("limits.outbound-buffer", limits.outboundBuffer(),
        () -> b.outboundBufferLimit(limits.outboundBuffer().toBytes()));
    set("limits.max-connections", limits.maxConnections(),
        () -> b.connectionLimits(limits.maxConnections(), limits.maxConnectionsPerAddress()));
    set("limits.upgrade-timeout", limits.upgradeTimeout(), () -> b.upgradeTimeout(limits.upgradeTimeout()));
    set("limits.max-loaded-documents", limits.maxLoadedDocuments(),
        () -> b.maxLoadedDocuments(limits.maxLoadedDocuments()));
    set("limits.document-opens-per-second", limits.documentOpensPerSecond(),
        () -> b.documentOpenRate(limits.documentOpensPerSecond(), limits.documentOpenBurst()));
    set("limits.max-awareness-state", limits.maxAwarenessState(), () -> b.awarenessLimits(
        Math.toIntExact(limits.maxAwarenessState().toBytes()), limits.awarenessInterval()));
    set("limits.max-new-client-ids", limits.maxNewClientIds(), () -> b.maxNewClientIds(limits.maxNewClientIds()));
    set("limits.max-presence-clients", limits.maxPresenceClients(),
        () -> b.maxPresenceClients(limits.maxPresenceClients()));
    set("limits.awareness-updates-per-connection", limits.awarenessUpdatesPerConnection(), () -> b.awarenessRates(
        limits.awarenessUpdatesPerConnection(), limits.awarenessBytesPerConnection().toBytes(),
        limits.awarenessUpdatesPerDocument(), limits.awarenessBytesPerDocument().toBytes()));
    set("limits.authentication-threads", limits.authenticationThreads(), () -> b.authentication(
        limits.authenticationThreads(), limits.authenticationsPerSecond(), limits.authenticationBurst()));
    set("limits.unauthenticated-timeout", limits.unauthenticatedTimeout(), () -> b.unauthenticatedLimits(
        limits.unauthenticatedTimeout(), limits.unauthenticatedMessages(), limits.unauthenticatedSize().toBytes()));
    set("limits.max-nesting-depth", limits.maxNestingDepth(), () -> b.maxNestingDepth(limits.maxNestingDepth()));
    set("limits.max-document-size", limits.maxDocumentSize(),
        () -> b.maxDocumentBytes(limits.maxDocumentSize().toBytes()));
    set("limits.max-pending-size", limits.maxPendingSize(),
        () -> b.maxPendingBytes(limits.maxPendingSize().toBytes()));
    set("limits.max-pending-age", limits.maxPendingAge(), () -> b.maxPendingAge(limits.maxPendingAge()));
    if (p.allowedOrigins() != null && !p.allowedOrigins().isEmpty()) {
      set("allowed-origins", p.allowedOrigins(), () -> b.allowedOrigins(p.allowedOrigins()));
    }
    if (p.trustedProxies() != null && !p.trustedProxies().isEmpty()) {
      set("trusted-proxies", p.trustedProxies(), () -> b.trustedProxies(p.trustedProxies()));
    }
    CollabProperties.Documents documents = p.documents();
    if (documents.storeMaxWait().compareTo(documents.storeDebounce()) < 0) {
      throw new InvalidCollabPropertyException(PREFIX + "documents.store-max-wait", documents.storeMaxWait(),
          "shorter than candlefish.collab.documents.store-debounce (" + documents.storeDebounce() + ")",
          "Set candlefish.collab.documents.store-max-wait to at least the store debounce, or shorten the debounce",
          null);
    }
    set("documents.unload-delay", documents.unloadDelay(), () -> b.unloadDelay(documents.unloadDelay()));
    set("documents.store-debounce", documents.storeDebounce(), () -> b.storeDebounce(documents.storeDebounce()));
    set("documents.store-max-wait", documents.storeMaxWait(), () -> b.storeMaxWait(documents.storeMaxWait()));
    set("documents.compact-after-updates", documents.compactAfterUpdates(),
        () -> b.compactAfterUpdates(documents.compactAfterUpdates()));
    set("documents.store-retry-max", documents.storeRetryMax(), () -> b.storeRetryMax(documents.storeRetryMax()));
    set("documents.max-unstored-total", documents.maxUnstoredTotal(), () -> b.maxUnstoredBytes(
        documents.maxUnstoredSize().toBytes(), documents.maxUnstoredTotal().toBytes()));
    CollabProperties.Security security = p.security();
    set("security.revocation-ttl", security.revocationTtl(),
        () -> b.revocationMemory(security.revocationTtl(), security.maxRevocations()));
    set("spring.lifecycle.timeout-per-shutdown-phase", shutdownTimeout, () -> b.shutdownTimeout(shutdownTimeout));
    return b;
  }

  /** Runs one builder setter; a value it refuses is reported under {@code property}. */
  private static void set(String property, Object value, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException | ArithmeticException e) {
      String name = property.startsWith("spring.") ? property : PREFIX + property;
      throw new InvalidCollabPropertyException(name, value, String.valueOf(e.getMessage()),
          "Change " + name + " in the application's configuration (the starter's README lists every property "
              + "with its default)", e);
    }
  }

  private static SslContext pemContext(CollabProperties.Tls tls) {
    requireSet("tls.certificate", tls.certificate());
    requireSet("tls.private-key", tls.privateKey());
    requireReadable("tls.certificate", tls.certificate());
    requireReadable("tls.private-key", tls.privateKey());
    try {
      return SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile(), tls.keyPassword())
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new InvalidCollabPropertyException(PREFIX + "tls.private-key", tls.privateKey(),
          "the files are not a PEM certificate chain and its PKCS#8 PEM private key"
              + (tls.keyPassword() == null ? "" : " (for candlefish.collab.tls.key-password)"),
          "Point candlefish.collab.tls.certificate at the chain and candlefish.collab.tls.private-key at its key "
              + "(convert a PKCS#1 RSA key with: openssl pkcs8 -topk8 -nocrypt)", e);
    }
  }

  private static void requireSet(String property, Path file) {
    if (file == null) {
      throw new InvalidCollabPropertyException(PREFIX + property, "(not set)",
          "TLS needs both candlefish.collab.tls.certificate and candlefish.collab.tls.private-key",
          "Set " + PREFIX + property + " to a PEM file, or remove the other tls.* property", null);
    }
  }

  private static void requireReadable(String property, Path file) {
    if (!Files.isReadable(file)) {
      throw new InvalidCollabPropertyException(PREFIX + property, file,
          "cannot read " + file.toAbsolutePath(), "Point " + PREFIX + property + " at a readable PEM file", null);
    }
  }
}
