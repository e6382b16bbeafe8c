package ai.candlefish.collab.client.internal;

import ai.candlefish.collab.client.CollabClientListener;
import io.netty.channel.EventLoopGroup;
import java.net.URI;

/**
 * A client's settings, checked by the builder.
 *
 * @param token null for none
 * @param eventLoopGroup null: the client makes (and shuts down) its own
 * @param maxRemoteAwarenessClients per document, see {@code Awareness.limitRemote}
 * @param maxAwarenessStateBytes per remote state, see {@code Awareness.limitRemote}
 * @param maxPendingBytes per document, see {@code UpdateLimits.maxPendingBytes}
 * @param maxDocumentBytes per document, see {@code UpdateLimits.maxDocumentBytes}
 * @param maxQueuedBytes per connection: what may wait for the network, see {@code ClientEngine.send}
 */
public record ClientConfig(URI uri, String token, CollabClientListener listener, long minBackoffNanos,
    long maxBackoffNanos, EventLoopGroup eventLoopGroup, int maxMessageSize, int maxRemoteAwarenessClients,
    int maxAwarenessStateBytes, long maxPendingBytes, long maxDocumentBytes, long maxQueuedBytes) {
  @Override
  public String toString() {
    // Neither the token nor the URI's query or user info (where a token or password may ride): logs keep them.
    return "ClientConfig[uri=" + ClientEngine.withoutSecrets(uri) + ", token=" + (token == null ? "none" : "(hidden)")
        + ", maxMessageSize=" + maxMessageSize + "]";
  }
}
