package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentStore;
import java.time.Duration;

/**
 * Every setting of a server, checked by {@code CollabServer.Builder} (which documents each one). Immutable.
 *
 * @param host the address to bind, or null for every interface
 * @param pathPrefix "" or a path starting with "/" and not ending with "/"
 */
public record ServerConfig(
    String host,
    int port,
    String pathPrefix,
    DocumentStore store,
    Authenticator authenticator,
    CollabHooks hooks,
    int maxMessageSize,
    int maxDocumentsPerConnection,
    int messagesPerSecond,
    int messageBurst,
    Duration idleTimeout,
    long outboundBufferLimit,
    Duration authenticationTimeout,
    int maxUnauthenticatedMessages,
    long maxUnauthenticatedBytes,
    Duration storeDebounce,
    Duration storeMaxWait,
    Duration storeRetryMax,
    int compactAfterUpdates,
    Duration unloadDelay,
    int ioThreads,
    int documentThreads,
    int blockingThreads,
    Duration shutdownTimeout) {}
