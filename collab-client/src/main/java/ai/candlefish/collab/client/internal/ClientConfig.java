package ai.candlefish.collab.client.internal;

import ai.candlefish.collab.client.CollabClientListener;
import io.netty.channel.EventLoopGroup;
import java.net.URI;

/**
 * A client's settings, checked by the builder.
 *
 * @param token null for none
 * @param eventLoopGroup null: the client makes (and shuts down) its own
 */
public record ClientConfig(URI uri, String token, CollabClientListener listener, long minBackoffNanos,
    long maxBackoffNanos, EventLoopGroup eventLoopGroup, int maxMessageSize) {}
