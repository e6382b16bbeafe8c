package ai.candlefish.collab.spring;

import ai.candlefish.collab.spring.internal.DataSizeRange;
import ai.candlefish.collab.spring.internal.DurationRange;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The collaboration server's settings, under {@code candlefish.collab}. Every one has a default. They are checked
 * when they are bound ({@code @Validated}), and what only the server can check (combinations, files, the port) when
 * it starts: either way the application does not start, and Boot's "APPLICATION FAILED TO START" report names the
 * property and what to do.
 *
 * @param enabled whether to start a server at all
 * @param host the address to bind; empty: every interface
 * @param port the WebSocket port (0: any free one); the y-websocket default is 1234
 * @param path the path below which documents are served ({@code /collab}: {@code ws://host:port/collab/doc})
 * @param transport where the collaboration socket is served: the server's own port ({@code embedded}, the default)
 *     or the application's own port ({@code servlet}, {@code reactive}; then {@link #path} is required)
 * @param tls {@code wss://} from PEM files
 * @param ssl {@code wss://} from one of the application's SSL bundles ({@code spring.ssl.bundle.*})
 * @param limits what one connection may do
 * @param documents when documents are stored and unloaded
 * @param storage where documents live
 * @param security who may connect
 * @param allowedOrigins the web pages (origins, {@code https://app.example.com}) that may open a connection; empty:
 *     in a web application, its own pages (the origin on the host the browser connects to, at {@code server.port});
 *     otherwise any
 * @param trustedProxies the reverse proxies in front of the embedded transport's port (addresses or CIDR ranges,
 *     {@code 10.0.0.0/8}), whose {@code X-Forwarded-For} names each connection's client for the per-address limit
 *     and the authenticator; on the application's port, {@code server.forward-headers-strategy} does this
 * @param cluster several instances serving the same documents over Redis ({@code collab-redis})
 */
@ConfigurationProperties("candlefish.collab")
@Validated
public record CollabProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable String host,
    @DefaultValue("1234") @Min(0) @Max(65535) int port,
    @DefaultValue("") @NotNull String path,
    @DefaultValue("embedded") @NotNull Transport transport,
    @DefaultValue @Valid Tls tls,
    @DefaultValue @Valid Ssl ssl,
    @DefaultValue @Valid Limits limits,
    @DefaultValue @Valid Documents documents,
    @DefaultValue @Valid Storage storage,
    @DefaultValue @Valid Security security,
    @Nullable List<String> allowedOrigins,
    @Nullable List<String> trustedProxies,
    @DefaultValue @Valid Cluster cluster) {

  /**
   * TLS: both files set serves {@code wss://}.
   *
   * @param certificate the certificate chain, PEM
   * @param privateKey the private key, PKCS#8 PEM
   * @param keyPassword the private key's password, if it is encrypted
   */
  public record Tls(@Nullable Path certificate, @Nullable Path privateKey, @Nullable String keyPassword) {
    /** Whether TLS is asked for (either file set). */
    public boolean enabled() {
      return certificate != null || privateKey != null;
    }
  }

  /**
   * TLS from an SSL bundle: {@code spring.ssl.bundle.pem.<name>.keystore.certificate} / {@code .private-key} (or a
   * JKS/PKCS#12 bundle) and {@code candlefish.collab.ssl.bundle=<name>}: one TLS setup for the application's web
   * server and the collaboration socket. Not together with {@code candlefish.collab.tls.*}.
   *
   * @param bundle the name of the SSL bundle whose key and certificate the server presents; empty: none
   */
  public record Ssl(@Nullable String bundle) {
    /** Whether a bundle is named. */
    public boolean enabled() {
      return bundle != null && !bundle.isBlank();
    }
  }

  /**
   * Per-connection limits.
   *
   * @param maxMessageSize the largest message a client may send
   * @param maxDocumentsPerConnection how many documents one connection may have open
   * @param messagesPerSecond the sustained message rate of one connection (faster clients are slowed down)
   * @param messageBurst how many messages one connection may send at once
   * @param idleTimeout how long a client may stay silent before it is pinged, then closed
   * @param outboundBuffer how much may wait to be sent to one client before it counts as too slow
   * @param maxConnections how many connections the server holds at once
   * @param maxConnectionsPerAddress how many of them may come from one remote address
   * @param upgradeTimeout how long a connection may take for its whole WebSocket upgrade
   * @param maxLoadedDocuments how many documents may be in memory at once
   * @param documentOpensPerSecond how fast one connection may open documents (sustained)
   * @param maxAwarenessState the largest presence (awareness) update a client may send
   * @param maxNestingDepth how deep a client's update may nest shared types (closed with 4422 beyond)
   * @param maxDocumentSize how much memory a document's content may hold through client updates, by an estimate
   *     from above; what it holds counts, not the updates it received (closed with 4413 beyond)
   * @param maxPendingSize how much per document may wait for missing dependencies (closed with 4424 beyond)
   * @param maxPendingAge how long something may wait for missing dependencies before nothing more may wait
   * @param documentOpenBurst how many documents one connection may open at once before
   *     {@link #documentOpensPerSecond} applies
   * @param awarenessInterval how long a document gathers presence changes before it sends them to its clients
   * @param maxNewClientIds how many Yjs client ids new to a document one connection may write under (4429 beyond)
   * @param maxPresenceClients how many people (awareness client ids) one connection may show in a document's
   *     presence (a Yjs client has one; entries for more are ignored); at most 1000
   * @param awarenessUpdatesPerConnection how many presence updates per second one connection may send (over all its
   *     documents) before further ones are coalesced
   * @param awarenessBytesPerConnection how many bytes of presence updates per second one connection may send before
   *     further ones are coalesced
   * @param awarenessUpdatesPerDocument how many presence updates per second one document applies from all its
   *     clients before further ones are coalesced
   * @param awarenessBytesPerDocument how many bytes of presence updates per second one document applies before
   *     further ones are coalesced
   * @param authenticationThreads the threads that call the authenticator (a pool of their own)
   * @param authenticationsPerSecond how many authenticator calls one connection may cause per second (sustained)
   * @param authenticationBurst how many authenticator calls one connection may cause at once
   * @param unauthenticatedTimeout how long a connection may stay unauthenticated (then closed with 4503)
   * @param unauthenticatedMessages how many messages a connection may send before it is authenticated (then closed
   *     with 1008)
   * @param unauthenticatedSize how many bytes a connection may send before it is authenticated (then closed with
   *     1008)
   */
  public record Limits(
      @DefaultValue("16MB") @NotNull @DataSizeRange(min = 1024) DataSize maxMessageSize,
      @DefaultValue("64") @Positive int maxDocumentsPerConnection,
      @DefaultValue("200") @Positive int messagesPerSecond,
      @DefaultValue("1000") @Positive int messageBurst,
      @DefaultValue("60s") @NotNull @DurationRange(min = "100ms") Duration idleTimeout,
      @DefaultValue("16MB") @NotNull @DataSizeRange(min = 1024, max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize outboundBuffer,
      @DefaultValue("10000") @Positive int maxConnections,
      @DefaultValue("256") @Positive int maxConnectionsPerAddress,
      @DefaultValue("10s") @NotNull @DurationRange(min = "10ms") Duration upgradeTimeout,
      @DefaultValue("10000") @Positive int maxLoadedDocuments,
      @DefaultValue("20") @Positive int documentOpensPerSecond,
      @DefaultValue("32KB") @NotNull @DataSizeRange(min = 64) DataSize maxAwarenessState,
      @DefaultValue("1000") @Positive int maxNestingDepth,
      @DefaultValue("128MB") @NotNull @DataSizeRange(min = 1, max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize maxDocumentSize,
      @DefaultValue("1MB") @NotNull @DataSizeRange(max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize maxPendingSize,
      @DefaultValue("10m") @NotNull @DurationRange(min = "1ms") Duration maxPendingAge,
      @DefaultValue("64") @Positive int documentOpenBurst,
      @DefaultValue("50ms") @NotNull @DurationRange(max = "10s") Duration awarenessInterval,
      @DefaultValue("16") @Positive int maxPresenceClients,
      @DefaultValue("10000") @Positive int maxNewClientIds,
      @DefaultValue("30") @Positive int awarenessUpdatesPerConnection,
      @DefaultValue("64KB") @NotNull @DataSizeRange(min = 1024, max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize awarenessBytesPerConnection,
      @DefaultValue("1000") @Positive int awarenessUpdatesPerDocument,
      @DefaultValue("4MB") @NotNull @DataSizeRange(min = 1024, max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize awarenessBytesPerDocument,
      @DefaultValue("4") @Positive int authenticationThreads,
      @DefaultValue("10") @Positive int authenticationsPerSecond,
      @DefaultValue("64") @Positive int authenticationBurst,
      @DefaultValue("10s") @NotNull @DurationRange(min = "10ms") Duration unauthenticatedTimeout,
      @DefaultValue("512") @Min(0) int unauthenticatedMessages,
      @DefaultValue("1MB") @NotNull @DataSizeRange(max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize unauthenticatedSize) {}

  /**
   * Document lifecycle.
   *
   * @param unloadDelay how long a document stays in memory after its last client left
   * @param storeDebounce how long after a document's last change it is stored
   * @param storeMaxWait how long after its first unstored change it is stored at the latest
   * @param compactAfterUpdates how many stored updates are replaced by one compacted state
   * @param storeRetryMax the longest pause between retries of a failed store (retries start at 200 ms and double)
   * @param maxUnstoredSize how much memory one document's updates that wait for the store (a database down) may
   *     hold before its clients' updates are refused with 1013; what was accepted is kept and stored later
   * @param maxUnstoredTotal the same for all documents together; 0: a quarter of the heap
   */
  public record Documents(
      @DefaultValue("10s") @NotNull @DurationRange Duration unloadDelay,
      @DefaultValue("2s") @NotNull @DurationRange Duration storeDebounce,
      @DefaultValue("10s") @NotNull @DurationRange Duration storeMaxWait,
      @DefaultValue("500") @Positive int compactAfterUpdates,
      @DefaultValue("30s") @NotNull @DurationRange(min = "1ms") Duration storeRetryMax,
      @DefaultValue("64MB") @NotNull @DataSizeRange(min = 64 * 1024, max = Long.MAX_VALUE, message = "must be at least {min} bytes") DataSize maxUnstoredSize,
      @DefaultValue("0B") @NotNull @DataSizeRange(max = Long.MAX_VALUE, message = "must not be negative") DataSize maxUnstoredTotal) {}

  /**
   * Storage.
   *
   * @param type {@code auto}: JDBC on the application's {@code DataSource} when there is one and
   *     {@code collab-jdbc} is on the class path, else in memory; {@code memory}; {@code jdbc}
   * @param tablePrefix the prefix of the JDBC store's tables
   */
  public record Storage(@DefaultValue("auto") @NotNull StorageType type,
      @DefaultValue("collab_") @NotNull String tablePrefix) {}

  /** Where the collaboration socket is served. */
  public enum Transport {
    /** The server's own Netty port, {@code candlefish.collab.port}. */
    EMBEDDED,
    /**
     * The application's own port, through Spring WebSocket on its servlet container (Tomcat, Jetty): needs
     * {@code spring-boot-starter-webmvc} and {@code spring-boot-starter-websocket}.
     */
    SERVLET,
    /** The application's own port, through WebFlux on Reactor Netty: needs {@code spring-boot-starter-webflux}. */
    REACTIVE
  }

  /** Where documents are stored. */
  public enum StorageType {
    /** JDBC when a {@code DataSource} and {@code collab-jdbc} are there, else memory. */
    AUTO,
    /** In memory only: lost when the application stops. For development and tests. */
    MEMORY,
    /** In the application's {@code DataSource} (PostgreSQL, H2). */
    JDBC
  }

  /**
   * Authentication.
   *
   * @param mode {@code jwt}: tokens are JWTs checked by the application's {@code JwtDecoder}; {@code development}:
   *     everybody may do everything in {@link #developmentTenant} (logged as a warning; never in production)
   * @param tenantClaim the claim that holds the principal's tenant
   * @param permissionsClaim the claim that holds its permissions: {@code "read"} or {@code "write"} for every
   *     document of the tenant, or an object from document name ({@code "*"} for the others) to permission
   * @param developmentTenant the tenant of development mode
   * @param audience the audience a JWT must name in its {@code aud} claim to be accepted; empty: not checked here
   *     (then let the {@code JwtDecoder} check it, for example with
   *     {@code spring.security.oauth2.resourceserver.jwt.audiences})
   * @param revocationTtl how long a revocation ({@code CollabServer.revoke}) is remembered at least (and until the
   *     revoked sessions' tokens expire): set it to your tokens' lifetime when they carry
   *     no expiry or no issue time (a token without {@code iat} is refused while the revocation is remembered, and
   *     no longer)
   * @param maxRevocations how many revoked principals are remembered (beyond, the oldest revocation is forgotten)
   */
  public record Security(
      @DefaultValue("jwt") @NotNull SecurityMode mode,
      @DefaultValue("tenant") @NotBlank String tenantClaim,
      @DefaultValue("collab") @NotBlank String permissionsClaim,
      @DefaultValue("dev") @NotBlank String developmentTenant,
      @Nullable String audience,
      @DefaultValue("1h") @NotNull @DurationRange(min = "1ms") Duration revocationTtl,
      @DefaultValue("100000") @Positive int maxRevocations) {}

  /** How clients authenticate. */
  public enum SecurityMode {
    /** JWTs, checked by the application's {@code JwtDecoder}. */
    JWT,
    /** Everybody may do everything: for development only. */
    DEVELOPMENT
  }

  /**
   * A cluster: this instance is one node of several that serve the same documents, on one database and one Redis
   * ({@code collab-redis} on the class path; Redis from {@code spring.data.redis.*}). Each setting goes to
   * {@code RedisClusterTransport} or {@code JdbcDocumentLeases}.
   *
   * @param enabled whether this instance joins a cluster (needs collab-redis, collab-jdbc and a DataSource)
   * @param nodeId this node's id, unique among the live nodes; empty: a random one at each start (a node restarted
   *     with the same id takes its leases back at once instead of after the lease TTL)
   * @param keyPrefix the prefix of every Redis key and channel; clusters with different prefixes do not hear each
   *     other
   * @param streamMaxLength about how many updates a document's Redis stream keeps; a node further behind reloads
   *     from the database
   * @param streamTtl how long a document's stream lives after its last update
   * @param heartbeatInterval how often this node tells the others over Redis that it is alive
   * @param nodeTimeout how long the others wait for its heartbeat before they remove its clients' presence (more
   *     than twice the heartbeat interval)
   * @param awarenessInterval how long presence changes are coalesced before they go to the other nodes
   * @param leaseTtl how long a document's lease (its once-only work: compaction, hooks) outlives the node's last
   *     database heartbeat; a dead node's documents pass to another node after this long
   * @param maxEntrySize the largest update copied through Redis; a larger one makes the other nodes read the
   *     document from the database instead
   */
  public record Cluster(
      boolean enabled,
      @Nullable String nodeId,
      @DefaultValue("collab:") String keyPrefix,
      @DefaultValue("1000") @Min(10) long streamMaxLength,
      @DefaultValue("1d") Duration streamTtl,
      @DefaultValue("1s") Duration heartbeatInterval,
      @DefaultValue("3s") Duration nodeTimeout,
      @DefaultValue("50ms") Duration awarenessInterval,
      @DefaultValue("10s") Duration leaseTtl,
      @DefaultValue("1MB") @NotNull @DataSizeRange(min = 1024) DataSize maxEntrySize) {}
}
