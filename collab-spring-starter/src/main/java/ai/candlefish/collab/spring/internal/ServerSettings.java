package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spring.CollabProperties;
import java.time.Duration;

/** Copies {@link CollabProperties} onto a server builder, which checks every value. */
public final class ServerSettings {
  private ServerSettings() {}

  public static CollabServer.Builder apply(CollabProperties p, CollabServer.Builder b) {
    if (p.host() != null && !p.host().isBlank()) {
      b.host(p.host());
    }
    b.port(p.port()).pathPrefix(p.path());
    CollabProperties.Tls tls = p.tls();
    if (tls.enabled()) {
      if (tls.certificate() == null || tls.privateKey() == null) {
        throw new IllegalStateException("candlefish.collab.tls needs both certificate and private-key (PEM files)");
      }
      if (tls.keyPassword() == null) {
        b.tls(tls.certificate(), tls.privateKey());
      } else {
        b.tls(tls.certificate(), tls.privateKey(), tls.keyPassword());
      }
    }
    CollabProperties.Limits limits = p.limits();
    b.maxMessageSize(Math.toIntExact(limits.maxMessageSize().toBytes()))
        .maxDocumentsPerConnection(limits.maxDocumentsPerConnection())
        .messageRate(limits.messagesPerSecond(), limits.messageBurst())
        .idleTimeout(limits.idleTimeout())
        .outboundBufferLimit(limits.outboundBuffer().toBytes())
        .connectionLimits(limits.maxConnections(), limits.maxConnectionsPerAddress())
        .upgradeTimeout(limits.upgradeTimeout())
        .maxLoadedDocuments(limits.maxLoadedDocuments())
        .documentOpenRate(limits.documentOpensPerSecond(), Math.max(64, limits.documentOpensPerSecond()))
        .awarenessLimits(Math.toIntExact(limits.maxAwarenessState().toBytes()), Duration.ofMillis(50))
        .maxNestingDepth(limits.maxNestingDepth())
        .maxDocumentBytes(limits.maxDocumentSize().toBytes())
        .maxPendingBytes(limits.maxPendingSize().toBytes())
        .maxPendingAge(limits.maxPendingAge());
    if (p.allowedOrigins() != null && !p.allowedOrigins().isEmpty()) {
      b.allowedOrigins(p.allowedOrigins());
    }
    CollabProperties.Documents documents = p.documents();
    return b.unloadDelay(documents.unloadDelay())
        .storeDebounce(documents.storeDebounce())
        .storeMaxWait(documents.storeMaxWait())
        .compactAfterUpdates(documents.compactAfterUpdates());
  }
}
